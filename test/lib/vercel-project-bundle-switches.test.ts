process.env.CDK_VALIDATION = 'false';

import { mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { VercelProject } from '../../lib/vercel-project';
import { writeProject } from './helpers';

// Which optional adapter parts VercelProject bundles into its functions (runtime/handler/
// bundle-switches.ts), decided from its vercel.json: real bundles, built with the local esbuild.
// bench/bundles.ts DEPLOYED_FEATURES models the project without vercel.json.

const REPO = path.resolve(__dirname, '..', '..');
const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

/** The bundled index.js of the project's one function, for a project with `vercelJson`. */
function bundleOf(vercelJson?: unknown): string {
  const projectDir = writeProject(['api/hello.ts'], vercelJson);
  folders.push(projectDir);
  // NodejsFunction runs the project's own esbuild, as it would in a real project.
  mkdirSync(path.join(projectDir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(path.join(REPO, 'node_modules', 'esbuild'), path.join(projectDir, 'node_modules', 'esbuild'));
  symlinkSync('../esbuild/bin/esbuild', path.join(projectDir, 'node_modules', '.bin', 'esbuild'));
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { region: 'eu-central-1' } });
  new VercelProject(stack, 'Project', { projectDir, enableInvalidationSweeper: false });
  const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).filter(
    (fn) => fn.Properties.Environment?.Variables?.VERCEL_FUNCTIONS_AWS_ROUTE,
  );
  expect(functions).toHaveLength(1);
  const asset = `asset.${String(functions[0].Properties.Code.S3Key).replace('.zip', '')}`;
  return readFileSync(path.join(app.synth().directory, asset, 'index.js'), 'utf8');
}

// esbuild's comment opening a module's code: the path is relative to the project folder.
const moduleComment = (name: string) => `/runtime/handler/${name}.ts\n`;

describe('VercelProject bundle-time switches', () => {
  test('bundles the route check and neither the origin secret check nor the headers rules without vercel.json', () => {
    const code = bundleOf();
    expect(code).toContain(moduleComment('route'));
    expect(code).not.toContain(moduleComment('origin-secret'));
    expect(code).not.toContain(moduleComment('route-headers'));
  });

  test('leaves the headers rules out when vercel.json has routing rules but no headers rules', () => {
    const code = bundleOf({ redirects: [{ source: '/old', destination: '/api/hello' }] });
    expect(code).not.toContain(moduleComment('route-headers'));
  });

  test('bundles the headers rules when vercel.json has headers rules', () => {
    const code = bundleOf({
      headers: [
        { source: '/api/(.*)', headers: [{ key: 'Strict-Transport-Security', value: 'max-age=600' }] },
      ],
    });
    expect(code).toContain(moduleComment('route-headers'));
  });
});
