process.env.CDK_VALIDATION = 'false';

import { rmSync } from 'node:fs';
import * as path from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SecretsManagerEndpoint } from '../../lib/local/secrets-manager-endpoint';
import { OriginProtection } from '../../lib/origin-protection';
import { VercelProject } from '../../lib/vercel-project';
import { type ResolvedEvent, resolvedInput, resolveString, schedules } from '../lib/cron-input';
import { testStack, writeProject } from '../lib/helpers';
import { type LocalFunction, startLocalFunction } from './local-function';

// A vercel.json cron end to end: the schedule input VercelProject synthesizes — its references
// replaced by deploy-time values, its Secrets Manager dynamic reference by the secret's value, as
// CloudFormation resolves them — given to a function bundled with the adapter and run by the real
// aws-lambda-ric on Node 24, with OriginProtection.secretHeader()'s check reading the secret from
// the loopback Secrets Manager. EventBridge Scheduler hands the input to Lambda unchanged as the
// invocation's payload.

const ENTRY = path.join(__dirname, 'fixtures', 'origin-guard.ts');
const SECRET_VALUE = 'Cl0udFrontAndTheSchedulesSendThisHeader';
const CRON_SECRET = 'a-random-cron-secret-of-32-chars';
const DOMAIN = 'd111111abcdef8.cloudfront.net';

let secrets: SecretsManagerEndpoint;
let secretArn: string;
let fn: LocalFunction;
let projectDir: string;
let event: ResolvedEvent;

// The input of the project's one schedule, resolved as CloudFormation would deploy it.
function synthesizedInput(): ResolvedEvent {
  projectDir = writeProject(['api/users/[id].ts'], {
    crons: [{ path: '/api/users/42?full=1', schedule: '0 5 * * *' }],
  });
  const stack = testStack('us-east-1');
  const project = new VercelProject(stack, 'Project', {
    projectDir,
    originProtection: OriginProtection.secretHeader(),
    environment: { CRON_SECRET },
  });
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as CfnElement);
  const values = {
    [`${id(project.cdn.distribution)}.DomainName`]: DOMAIN,
    [id(project.cdn.distribution)]: 'E1HARNESSCRON02',
    [id(project.cdn.originSecret!)]: secretArn,
  };
  const [schedule] = Object.values(schedules(Template.fromStack(stack)));
  const input = schedule.Properties.Target.Input;
  // The reference names the secret the functions check against.
  expect(resolveString(input, values)).toContain(`{{resolve:secretsmanager:${secretArn}:SecretString:::}}`);
  return resolvedInput(input, values, SECRET_VALUE);
}

beforeAll(async () => {
  secrets = await SecretsManagerEndpoint.start();
  secretArn = secrets.createSecret('vercel-origin-secret', SECRET_VALUE);
  event = synthesizedInput();
  fn = await startLocalFunction({
    entry: ENTRY,
    env: {
      VERCEL_FUNCTIONS_AWS_ORIGIN_SECRET_ARN: secretArn,
      VERCEL_FUNCTIONS_AWS_ROUTE: '/api/users/[id]',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      AWS_ACCESS_KEY_ID: SecretsManagerEndpoint.DEFAULT_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: SecretsManagerEndpoint.DEFAULT_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: 'local-session-token',
    },
  });
});
afterAll(async () => {
  await fn?.stop();
  await secrets?.close();
  if (projectDir) rmSync(projectDir, { recursive: true, force: true });
});

describe("a vercel.json cron's scheduled invocation", () => {
  test("reaches the handler as Vercel's cron request, through the origin secret check", async () => {
    const result = await fn.invoke(event);
    expect(result.statusCode).toBe(200);
    const seen = JSON.parse(result.body.toString('utf8'));
    expect(seen.method).toBe('GET');
    // The public URL, with the route's parameter added to the entry's query as for any request.
    expect(seen.url).toBe(`https://${DOMAIN}/api/users/42?full=1&id=42`);
    expect(seen.headers['user-agent']).toBe('vercel-cron/1.0');
    expect(seen.headers['x-vercel-cron-schedule']).toBe('0 5 * * *');
    expect(seen.headers.authorization).toBe(`Bearer ${CRON_SECRET}`);
    expect(seen.headers.host).toBe(DOMAIN);
    expect(seen.headers['x-vfa-origin-secret']).toBeUndefined();
    expect(seen.contextHeaders.authorization).toBe(`Bearer ${CRON_SECRET}`);
  });

  test('is refused with 403 before user code runs when the input lacks the origin secret', async () => {
    const { 'x-vfa-origin-secret': _secret, ...headers } = event.headers;
    const result = await fn.invoke({ ...event, headers });
    expect(result.statusCode).toBe(403);
    expect(result.body.toString('utf8')).toBe('Forbidden');
  });
});
