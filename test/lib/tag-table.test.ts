process.env.CDK_VALIDATION = 'false';

import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { TagTable } from '../../lib/tag-table';

describe('TagTable', () => {
  test('creates an on-demand table with string pk/sk, TTL, PITR and the AWS managed key by default', () => {
    const s = new Stack(new App(), 'Stack');
    new TagTable(s, 'Tags');
    Template.fromStack(s).hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Delete',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ]),
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
        ],
      },
    });
  });

  test('adds replicas and grants read/write through the global table', () => {
    const s = new Stack(new App(), 'Stack', { env: { region: 'us-east-1' } });
    const tags = new TagTable(s, 'Tags', { replicaRegions: ['eu-central-1'] });
    const role = new iam.Role(s, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    tags.grantReadWriteData(role);
    const template = Template.fromStack(s);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: Match.arrayWith([Match.objectLike({ Region: 'eu-central-1' })]),
    });
    const statements = JSON.stringify(
      Object.values(template.findResources('AWS::IAM::Policy'))[0].Properties.PolicyDocument.Statement,
    );
    expect(statements).toContain('dynamodb:UpdateItem');
  });

  test('throws when replicaRegions contains the stack region', () => {
    const s = new Stack(new App(), 'Stack', { env: { region: 'us-east-1' } });
    expect(() => new TagTable(s, 'Tags', { replicaRegions: ['us-east-1'] })).toThrow(
      /Stack\/Tags: replicaRegions contains 'us-east-1'/,
    );
  });
});
