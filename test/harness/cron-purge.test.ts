process.env.CDK_VALIDATION = 'false';

import { rmSync } from 'node:fs';
import * as path from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudFrontEndpoint } from '../../lib/local/cloudfront-endpoint';
import { DYNAMODB_LOCAL_CLIENT_CONFIG } from '../../lib/local/dynamodb-local';
import { OriginProtection } from '../../lib/origin-protection';
import { VercelProject } from '../../lib/vercel-project';
import { ROUTE_ENV, TAG_TABLE_ENV } from '../../runtime/constructs-contract';
import { type ResolvedEvent, resolvedInput, schedules } from '../lib/cron-input';
import { testStack, writeProject } from '../lib/helpers';
import { createTestRuntimeTables, dynamoDBLocalEndpoint } from '../setup/dynamodb-tables';
import { type LocalFunction, startLocalFunction } from './local-function';

// A vercel.json cron that purges, end to end: the schedule input VercelProject synthesizes, its
// references replaced by deploy-time values as CloudFormation resolves them, given to a function
// bundled with the adapter and run by the real aws-lambda-ric on Node 24. The function's AWS SDK
// reaches the loopback CloudFront endpoint and DynamoDB Local through AWS_ENDPOINT_URL_*. No
// CloudFront sits between EventBridge Scheduler and the function, so the input itself must name
// the distribution to invalidate.

const DISTRIBUTION = 'E1HARNESSCRON01';
const DOMAIN = 'd111111abcdef8.cloudfront.net';

let cloudFront: CloudFrontEndpoint;
let fn: LocalFunction;
let projectDir: string;
let event: ResolvedEvent;

// The input of the project's one schedule, resolved as CloudFormation would deploy it.
function synthesizedInput(): ResolvedEvent {
  projectDir = writeProject(['api/purge.ts'], {
    crons: [{ path: '/api/purge?tag=Products', schedule: '0 5 * * *' }],
  });
  const stack = testStack('us-east-1');
  const project = new VercelProject(stack, 'Project', {
    projectDir,
    originProtection: OriginProtection.oac(),
  });
  const distribution = stack.getLogicalId(project.cdn.distribution.node.defaultChild as CfnElement);
  const [schedule] = Object.values(schedules(Template.fromStack(stack)));
  return resolvedInput(schedule.Properties.Target.Input, {
    [`${distribution}.DomainName`]: DOMAIN,
    [distribution]: DISTRIBUTION,
  });
}

beforeAll(async () => {
  event = synthesizedInput();
  cloudFront = await CloudFrontEndpoint.start({ distributionIds: [DISTRIBUTION], completionDelayMs: 0 });
  const { tagTableName } = await createTestRuntimeTables();
  fn = await startLocalFunction({
    entry: path.join(__dirname, 'fixtures', 'cron-purge.ts'),
    env: {
      [ROUTE_ENV]: '/api/purge',
      [TAG_TABLE_ENV]: tagTableName,
      AWS_ENDPOINT_URL_CLOUDFRONT: cloudFront.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoDBLocalEndpoint(),
      AWS_ACCESS_KEY_ID: DYNAMODB_LOCAL_CLIENT_CONFIG.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DYNAMODB_LOCAL_CLIENT_CONFIG.credentials.secretAccessKey,
    },
  });
});
afterAll(async () => {
  await fn?.stop();
  await cloudFront?.close();
  if (projectDir) rmSync(projectDir, { recursive: true, force: true });
});

describe("a vercel.json cron's scheduled invocation", () => {
  test('invalidates the tag on the distribution in front of the function when the cron calls invalidateByTag', async () => {
    const result = await fn.invoke(event);
    expect(result.statusCode).toBe(200);
    expect(result.body.toString('utf8')).toBe('purged Products');
    await fn.runtimeApi.invocation(result.requestId)?.ended;

    expect(cloudFront.createRequests()).toHaveLength(1);
    expect(cloudFront.invalidations(DISTRIBUTION).map((invalidation) => invalidation.items)).toEqual([
      ['#products'],
    ]);
    expect(fn.logs.map((line) => line.text).join('\n')).not.toContain('no CDN cache to invalidate');
  });
});
