process.env.CDK_VALIDATION = 'false';

import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { OriginProtection } from '../../lib/origin-protection';
import { Routing } from '../../lib/routing';
import { VercelProject, type VercelProjectProps } from '../../lib/vercel-project';

// The example stack of bin/app.ts (examples/ as a VercelProject), checked by cdk-nag's AwsSolutions
// pack. Synthesis throws when a plugin reports an unacknowledged error.
function exampleApp(region: string, props: Partial<VercelProjectProps> = {}): App {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'VercelFunctionsExample', { env: { region } });
  new VercelProject(stack, 'Project', { projectDir: path.join(__dirname, '..', '..', 'examples'), ...props });
  return app;
}

function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      // data maps each acknowledged rule id to its reason.
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({ path: construct.node.path, id, reason })),
  );
}

describe('cdk-nag AwsSolutions on the example stack', () => {
  test.each(['us-east-1', 'eu-west-1'])('reports no unacknowledged errors when deployed to %s', (region) => {
    const app = exampleApp(region);
    expect(() => app.synth()).not.toThrow();
  });

  test('reports no unacknowledged errors with the edge router and secretHeader()', () => {
    const app = exampleApp('eu-west-1', {
      routing: Routing.edgeRouter(),
      originProtection: OriginProtection.secretHeader(),
    });
    expect(() => app.synth()).not.toThrow();
    expect(acknowledgements(app).map((a) => a.id)).toContain('AwsSolutions::AwsSolutions-SMG4');
  });

  test('acknowledges only findings intrinsic to the design, each with a reason', () => {
    const app = exampleApp('us-east-1');
    app.synth();
    const acknowledged = acknowledgements(app);
    // The signer's id carries the Cdn's address (origin-protection.ts): shown as BodySigner*.
    const paths = acknowledged.map(
      (a) => `${a.path.replace(/BodySigner[0-9a-f]{8}/, 'BodySigner*')} ${a.id}`,
    );
    expect(paths.sort()).toEqual([
      'VercelFunctionsExample/Project/Cdn/AccessLogs AwsSolutions::AwsSolutions-S1',
      'VercelFunctionsExample/Project/Cdn/BodySigner*/Fn AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'VercelFunctionsExample/Project/Cdn/BodySigner*/Fn AwsSolutions::AwsSolutions-L1',
      'VercelFunctionsExample/Project/Cdn/Resource AwsSolutions::AwsSolutions-CFR4',
    ]);
    for (const { reason } of acknowledged) expect(reason.length).toBeGreaterThan(100);
  });
});
