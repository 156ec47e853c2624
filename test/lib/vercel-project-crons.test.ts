process.env.CDK_VALIDATION = 'false';

import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OriginProtection } from '../../lib/origin-protection';
import { Routing } from '../../lib/routing';
import { VercelProject, type VercelProjectProps } from '../../lib/vercel-project';
import { type DeployValues, resolvedInput, resolveString, schedules } from './cron-input';
import { plainFunction, testStack, writeProject } from './helpers';

// vercel.json `crons` → one EventBridge Scheduler schedule per entry, invoking the function that
// serves the entry's path with the Function URL event of Vercel's cron request.

const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

function projectWithCrons(
  crons: unknown,
  files = ['api/hello.ts', 'api/cron/daily.ts', 'api/users/[id].ts'],
) {
  const dir = writeProject(files, { crons });
  folders.push(dir);
  return dir;
}

function synth(projectDir: string, props: Partial<VercelProjectProps> = {}, stack = testStack('us-east-1')) {
  const project = new VercelProject(stack, 'Project', { projectDir, ...props });
  return { stack, project, template: Template.fromStack(stack) };
}

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);

const DISTRIBUTION_ID = 'E2QWRUHAPOMQZL';

function deployValues(stack: Stack, project: VercelProject): DeployValues {
  const distribution = logicalId(stack, project.cdn.distribution);
  return {
    [`${distribution}.DomainName`]: 'd111111abcdef8.cloudfront.net',
    [distribution]: DISTRIBUTION_ID,
  };
}

const DAILY = { path: '/api/cron/daily', schedule: '0 5 * * *' };

describe('VercelProject crons', () => {
  test('creates one schedule per entry, in UTC, without a time window or retries, ids Cron0, Cron1', () => {
    const dir = projectWithCrons([DAILY, { path: '/api/users/42?full=1', schedule: '*/15 * * * 1-5' }]);
    const { stack, project, template } = synth(dir);
    template.resourceCountIs('AWS::Scheduler::Schedule', 2);
    const [daily, users] = ['Cron0', 'Cron1'].map(
      (id) => template.toJSON().Resources[stack.getLogicalId(project.node.findChild(id) as CfnElement)],
    );
    expect(daily.Properties).toMatchObject({
      ScheduleExpression: 'cron(0 5 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: { RetryPolicy: { MaximumRetryAttempts: 0 } },
    });
    expect(users.Properties.ScheduleExpression).toBe('cron(0/15 * ? * 2-6 *)');
    const fnArn = (route: string) => ({
      'Fn::GetAtt': [logicalId(stack, project.functions.get(route)!), 'Arn'],
    });
    expect(daily.Properties.Target.Arn).toEqual(fnArn('/api/cron/daily'));
    // A dynamic route serves a concrete path, as on Vercel.
    expect(users.Properties.Target.Arn).toEqual(fnArn('/api/users/[id]'));
  });

  test("lets the schedules' role invoke only the functions the crons target", () => {
    const dir = projectWithCrons([
      DAILY,
      { ...DAILY, schedule: '30 5 * * *' },
      { path: '/api/users/1', schedule: '0 0 1 * *' },
    ]);
    const { stack, project, template } = synth(dir);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Principal: { Service: 'scheduler.amazonaws.com' },
            // Only schedules of the account's default group, as aws-scheduler-targets sets it.
            Condition: {
              StringEquals: {
                'aws:SourceAccount': { Ref: 'AWS::AccountId' },
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':scheduler:us-east-1:',
                      { Ref: 'AWS::AccountId' },
                      ':schedule-group/default',
                    ],
                  ],
                },
              },
            },
          },
        ],
      },
    });
    const arn = (route: string) => ({
      'Fn::GetAtt': [logicalId(stack, project.functions.get(route)!), 'Arn'],
    });
    const role = project.node.findChild('CronRole');
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      p.Properties.Roles.some((r: { Ref: string }) => r.Ref === logicalId(stack, role)),
    )!;
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: [arn('/api/cron/daily'), arn('/api/users/[id]')],
      },
    ]);
    for (const schedule of Object.values(schedules(template))) {
      expect(schedule.Properties.Target.RoleArn).toEqual({ 'Fn::GetAtt': [logicalId(stack, role), 'Arn'] });
    }
  });

  test("turns off Lambda's asynchronous retries of the target functions, and its late deliveries", () => {
    const { stack, project, template } = synth(projectWithCrons([DAILY]));
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(stack, project.functions.get('/api/cron/daily')!) },
      MaximumRetryAttempts: 0,
      // Lambda's least: a throttled event is not run hours late, as Vercel would not.
      MaximumEventAgeInSeconds: 60,
      Qualifier: '$LATEST',
    });
  });

  test.each(['preview', 'development'] as const)(
    'creates no schedule, role or invoke settings, and warns once, when vercelEnv is %s',
    (vercelEnv) => {
      const dir = projectWithCrons([DAILY, { path: '/api/users/1', schedule: '0 0 1 * *' }]);
      const { stack, project, template } = synth(dir, { vercelEnv });
      template.resourceCountIs('AWS::Scheduler::Schedule', 0);
      for (const route of ['/api/cron/daily', '/api/users/[id]']) {
        expect(project.functions.get(route)!.node.tryFindChild('EventInvokeConfig')).toBeUndefined();
      }
      expect(project.node.tryFindChild('CronRole')).toBeUndefined();
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue());
      expect(warnings.map((w) => w.entry.data)).toEqual([
        `the crons of ${path.join(dir, 'vercel.json')} are not scheduled because vercelEnv is '${vercelEnv}', as Vercel runs crons only in production [ack: vercel-functions-aws:cronsNotProduction]`,
      ]);
    },
  );

  test('creates the schedules when vercelEnv is production, as by default', () => {
    const { stack, template } = synth(projectWithCrons([DAILY]), { vercelEnv: 'production' });
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('refuses a path no function serves outside production too', () => {
    const dir = projectWithCrons([{ path: '/api/missing', schedule: '0 5 * * *' }]);
    expect(() => synth(dir, { vercelEnv: 'preview' })).toThrow(
      "crons[0].path '/api/missing' is served by no function of the project",
    );
  });

  test("sends Vercel's cron request: GET of the path on the public host, vercel-cron/1.0, the Bearer CRON_SECRET", () => {
    const dir = projectWithCrons([{ path: '/api/users/42?full=1&x=%20y', schedule: '0 5 * * *' }]);
    const { stack, project, template } = synth(dir, {
      environment: { CRON_SECRET: 'a-long-random-cron-secret' },
    });
    const [schedule] = Object.values(schedules(template));
    expect(resolvedInput(schedule.Properties.Target.Input, deployValues(stack, project))).toEqual({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/api/users/42',
      rawQueryString: 'full=1&x=%20y',
      headers: {
        host: 'd111111abcdef8.cloudfront.net',
        'x-forwarded-host': 'd111111abcdef8.cloudfront.net',
        'x-forwarded-proto': 'https',
        'user-agent': 'vercel-cron/1.0',
        // What the CDN's viewer-request function adds: the purge API finds the distribution there.
        'x-vfa-distribution-id': DISTRIBUTION_ID,
        authorization: 'Bearer a-long-random-cron-secret',
      },
      requestContext: {
        domainName: 'd111111abcdef8.cloudfront.net',
        http: { method: 'GET', path: '/api/users/42', protocol: 'HTTP/1.1', userAgent: 'vercel-cron/1.0' },
        routeKey: '$default',
        stage: '$default',
        // The adapter passes it on as x-vercel-cron-schedule (test/harness/cron.test.ts).
        vercelCronSchedule: '0 5 * * *',
      },
      isBase64Encoded: false,
    });
  });

  test('sends no authorization header without CRON_SECRET, and the first custom domain as the host', () => {
    const stack = testStack('us-east-1');
    const certificate = acm.Certificate.fromCertificateArn(
      stack,
      'Certificate',
      'arn:aws:acm:us-east-1:123456789012:certificate/abc',
    );
    const { project, template } = synth(
      projectWithCrons([DAILY]),
      { domainNames: ['www.example.com', 'example.com'], certificate },
      stack,
    );
    const input = resolvedInput(Object.values(schedules(template))[0].Properties.Target.Input, {
      [logicalId(stack, project.cdn.distribution)]: DISTRIBUTION_ID,
    });
    expect(input.headers.authorization).toBeUndefined();
    expect(input.headers.host).toBe('www.example.com');
    expect(input.headers['x-forwarded-host']).toBe('www.example.com');
  });

  test('carries the origin secret of secretHeader() as a Secrets Manager dynamic reference', () => {
    const { stack, project, template } = synth(projectWithCrons([DAILY]), {
      originProtection: OriginProtection.secretHeader(),
    });
    const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:origin-AbCdEf';
    const values = {
      ...deployValues(stack, project),
      [logicalId(stack, project.cdn.originSecret!)]: secretArn,
    };
    const input = Object.values(schedules(template))[0].Properties.Target.Input;
    // The template holds a reference to the CDN's secret, resolved by CloudFormation, never the value.
    expect(resolveString(input, values)).toContain(
      `"x-vfa-origin-secret":"{{resolve:secretsmanager:${secretArn}:SecretString:::}}"`,
    );
    expect(resolvedInput(input, values, 'the-secret-value').headers['x-vfa-origin-secret']).toBe(
      'the-secret-value',
    );
  });

  test("sends the distribution's id, so purge calls reach it, without a dependency cycle, for cache behaviours and the edge router", () => {
    for (const routing of [Routing.cacheBehaviors(), Routing.edgeRouter()]) {
      const { stack, project, template } = synth(projectWithCrons([DAILY]), { routing });
      // Template.fromStack (in synth) rejects a template with a dependency cycle; the schedule
      // references the distribution, which references the function, which references neither.
      const [schedule] = Object.values(schedules(template));
      expect(resolveString(schedule.Properties.Target.Input, deployValues(stack, project))).toContain(
        `"x-vfa-distribution-id":"${DISTRIBUTION_ID}"`,
      );
      expect(JSON.stringify(schedule.Properties.Target.Input)).toContain(
        JSON.stringify({ Ref: logicalId(stack, project.cdn.distribution) }),
      );
    }
  });

  test('sends no origin secret header with OAC', () => {
    const { stack, project, template } = synth(projectWithCrons([DAILY]));
    expect(project.cdn.originSecret).toBeUndefined();
    const input = resolvedInput(
      Object.values(schedules(template))[0].Properties.Target.Input,
      deployValues(stack, project),
    );
    expect(input.headers['x-vfa-origin-secret']).toBeUndefined();
  });

  test('targets a function the user brings when it serves the path', () => {
    const stack = testStack('us-east-1');
    const legacy = plainFunction(stack, 'Legacy');
    legacy.configureAsyncInvoke({ retryAttempts: 2 });
    const { template } = synth(
      projectWithCrons([{ path: '/api/legacy/7', schedule: '0 5 * * *' }]),
      { functions: { '/api/legacy/[id]': legacy } },
      stack,
    );
    expect(Object.values(schedules(template))[0].Properties.Target.Arn).toEqual({
      'Fn::GetAtt': [logicalId(stack, legacy), 'Arn'],
    });
    // Its own asynchronous settings are kept.
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 2);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(stack, legacy) },
      MaximumRetryAttempts: 2,
    });
  });

  test('refuses a path no function serves, naming the file and the entry', () => {
    const dir = projectWithCrons([DAILY, { path: '/api/missing?x=1', schedule: '0 5 * * *' }]);
    expect(() => synth(dir)).toThrow(
      `${path.join(dir, 'vercel.json')}: crons[1].path '/api/missing?x=1' is served by no function of the project (routes: /api/hello, /api/cron/daily, /api/users/[id]): point it at a route of api/ or of the functions prop`,
    );
  });

  test('refuses a schedule Vercel refuses, as a configuration error naming the file', () => {
    const dir = projectWithCrons([{ path: '/api/hello', schedule: '0 9 * * MON' }]);
    expect(() => synth(dir)).toThrow(
      `${path.join(dir, 'vercel.json')}: crons[0].schedule '0 9 * * MON' has the day of week 'MON': names such as 'MON' are not supported by Vercel; use numbers (0-6)`,
    );
  });

  test('creates no schedule or role, and warns about nothing, for an empty crons', () => {
    const { stack, project, template } = synth(projectWithCrons([]));
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    expect(project.node.tryFindChild('CronRole')).toBeUndefined();
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('passes cdk-nag AwsSolutions without acknowledgements, with OAC and with secretHeader()', () => {
    for (const originProtection of [undefined, OriginProtection.secretHeader()]) {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      const stack = new Stack(app, 'Stack', { env: { region: 'eu-west-1' } });
      const project = new VercelProject(stack, 'Project', {
        projectDir: projectWithCrons([DAILY, { path: '/api/users/1', schedule: '0 0 * * 0' }]),
        originProtection,
      });
      expect(() => app.synth()).not.toThrow();
      const cronConstructs = project.node.children.filter((c) => /^Cron/.test(c.node.id));
      expect(cronConstructs.map((c) => c.node.id).sort()).toEqual(['Cron0', 'Cron1', 'CronRole']);
      for (const construct of cronConstructs.flatMap((c) => c.node.findAll())) {
        expect(
          construct.node.metadata.filter(
            (entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY,
          ),
        ).toEqual([]);
      }
    }
  });
});
