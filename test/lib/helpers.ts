// Shared fixtures for the construct tests: apps that skip asset bundling (the asset contents do not
// matter to these assertions) and a minimal Lambda function.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/** A stack in `region` (or region-agnostic) of an app that skips asset bundling. */
export function testStack(region?: string): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'Stack', region ? { env: { region } } : {});
}

/**
 * A throwaway project folder with its own lock file and a hello-world module at each of `files`
 * (e.g. `api/users/[id].ts`), plus a `vercel.json` holding `vercelJson` when given. Bundling is
 * skipped in these tests, so the folder needs no esbuild. The caller removes it.
 */
export function writeProject(files: readonly string[], vercelJson?: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'vercel-project-test-'));
  writeFileSync(path.join(dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}');
  for (const file of files) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), 'export default { fetch: () => new Response("ok") };\n');
  }
  if (vercelJson !== undefined) writeFileSync(path.join(dir, 'vercel.json'), JSON.stringify(vercelJson));
  return dir;
}

/** A plain Node.js function with inline code. */
export function plainFunction(scope: Construct, id: string): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
  });
}
