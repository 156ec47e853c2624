process.env.CDK_VALIDATION = 'false';

import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Cdn } from '../../lib/cdn';
import { ImageOptimizer } from '../../lib/image-optimizer';
import { OriginProtection } from '../../lib/origin-protection';

// A small stack — a Cdn with the image optimizer attached — checked by cdk-nag's AwsSolutions
// pack. Synthesis throws when a plugin reports an unacknowledged error.
function imageApp(originProtection: OriginProtection): App {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'Images', { env: { region: 'us-east-1' } });
  const cdn = new Cdn(stack, 'Cdn', { originProtection });
  new ImageOptimizer(stack, 'Optimizer', {
    formats: ['image/avif', 'image/webp'],
    remotePatterns: [{ protocol: 'https', hostname: 'images.example.com' }],
  }).addToCdn(cdn);
  return app;
}

function acknowledgedUnder(app: App, pathPrefix: string): string[] {
  return app.node
    .findAll()
    .filter((construct) => construct.node.path.startsWith(pathPrefix))
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.keys(entry.data as Record<string, string>)),
    );
}

describe('cdk-nag AwsSolutions on the image optimizer', () => {
  test('reports no unacknowledged errors and needs no acknowledgement with the default protection', () => {
    const app = imageApp(OriginProtection.oacWithBodySigning());
    expect(() => app.synth()).not.toThrow();
    expect(acknowledgedUnder(app, 'Images/Optimizer')).toEqual([]);
  });

  test('reports no unacknowledged errors with secretHeader()', () => {
    const app = imageApp(OriginProtection.secretHeader());
    expect(() => app.synth()).not.toThrow();
    // Only the origin secret's rotation finding, acknowledged (with its reason) where secrets are created.
    expect(acknowledgedUnder(app, 'Images/Optimizer')).toEqual(['AwsSolutions::AwsSolutions-SMG4']);
  });
});
