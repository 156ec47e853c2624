process.env.CDK_VALIDATION = 'false';

import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RuntimeCacheTable } from '../../lib/runtime-cache-table';

function stack(region?: string): Stack {
  return new Stack(new App(), 'Stack', region ? { env: { region } } : {});
}

describe('RuntimeCacheTable', () => {
  test('creates an on-demand table with pk/sk (chunk index), TTL, PITR and the AWS managed key by default', () => {
    const s = stack();
    new RuntimeCacheTable(s, 'Cache');
    const template = Template.fromStack(s);
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Delete',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'N' },
        ]),
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: false,
          }),
        ],
      },
    });
  });

  test('exposes the key attribute names the runtime mirrors', () => {
    expect([
      RuntimeCacheTable.PARTITION_KEY,
      RuntimeCacheTable.SORT_KEY,
      RuntimeCacheTable.TTL_ATTRIBUTE,
    ]).toEqual(['pk', 'sk', 'expiresAt']);
  });

  test('applies tableName, pointInTimeRecovery, deletionProtection and removalPolicy', () => {
    const s = stack();
    new RuntimeCacheTable(s, 'Cache', {
      tableName: 'my-cache',
      pointInTimeRecovery: false,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Template.fromStack(s).hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: {
        TableName: 'my-cache',
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
            DeletionProtectionEnabled: true,
          }),
        ],
      },
    });
  });

  test('adds one replica per replicaRegions entry when the stack names its region', () => {
    const s = stack('eu-west-1');
    new RuntimeCacheTable(s, 'Cache', { replicaRegions: ['us-east-1', 'ap-southeast-2'] });
    const replicas = Object.values(Template.fromStack(s).findResources('AWS::DynamoDB::GlobalTable'))[0]
      .Properties.Replicas as { Region: string }[];
    expect(replicas.map((r) => r.Region).sort()).toEqual(['ap-southeast-2', 'eu-west-1', 'us-east-1']);
  });

  test('grantReadWriteData allows item reads and writes on this table only', () => {
    const s = stack();
    const cache = new RuntimeCacheTable(s, 'Cache');
    const role = new iam.Role(s, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    cache.grantReadWriteData(role);
    Template.fromStack(s).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem']),
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Cache'), 'Arn'] },
          }),
        ]),
      },
    });
  });

  test('grantReadData allows reads but no writes', () => {
    const s = stack();
    const cache = new RuntimeCacheTable(s, 'Cache');
    const role = new iam.Role(s, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    cache.grantReadData(role);
    const policy = Object.values(Template.fromStack(s).findResources('AWS::IAM::Policy'))[0];
    const actions = JSON.stringify(policy.Properties.PolicyDocument.Statement);
    expect(actions).toContain('dynamodb:GetItem');
    expect(actions).not.toContain('dynamodb:PutItem');
  });

  test('throws when replicaRegions is set on a region-agnostic stack', () => {
    expect(() => new RuntimeCacheTable(stack(), 'Cache', { replicaRegions: ['us-east-1'] })).toThrow(
      /replicaRegions \(us-east-1\) needs a stack with an explicit region/,
    );
  });

  test("throws when replicaRegions contains the stack's own region", () => {
    expect(
      () => new RuntimeCacheTable(stack('eu-west-1'), 'Cache', { replicaRegions: ['eu-west-1'] }),
    ).toThrow(/replicaRegions contains 'eu-west-1', the stack's own region/);
  });

  test('throws when replicaRegions contains something that is not a region', () => {
    expect(
      () => new RuntimeCacheTable(stack('eu-west-1'), 'Cache', { replicaRegions: ['Frankfurt'] }),
    ).toThrow(/replicaRegions contains 'Frankfurt', which is not an AWS region name/);
  });

  test('throws when replicaRegions lists a region twice', () => {
    expect(
      () =>
        new RuntimeCacheTable(stack('eu-west-1'), 'Cache', { replicaRegions: ['us-east-1', 'us-east-1'] }),
    ).toThrow(/replicaRegions lists 'us-east-1' twice/);
  });
});
