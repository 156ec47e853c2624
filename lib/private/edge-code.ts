import * as path from 'node:path';
import { DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';

/**
 * Lambda code for a small, dependency-free handler under `lib/private/`, bundled by the local esbuild
 * at synth (CDK asset bundling with a local bundler; Docker is never used — the image below only
 * satisfies the API and is not pulled, because the local bundler always either succeeds or throws).
 * Skipped like any asset bundling when the stack is excluded via `aws:cdk:bundling-stacks`.
 *
 * @param entry absolute path of the handler source, exporting `handler`
 * @param target esbuild target matching the Lambda runtime, e.g. `node22`
 */
export function bundledHandlerCode(entry: string, target: string): lambda.Code {
  return lambda.Code.fromAsset(path.dirname(entry), {
    bundling: {
      image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x'),
      local: {
        tryBundle(outputDir: string): boolean {
          buildSync({
            entryPoints: [entry],
            outfile: path.join(outputDir, 'index.js'),
            bundle: true,
            platform: 'node',
            format: 'cjs',
            target,
            minify: true,
            legalComments: 'none',
            logLevel: 'silent',
          });
          return true;
        },
      },
    },
  });
}
