import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type LocalFunction, startLocalFunction } from './local-function';

// The real, unmodified @vercel/functions (node_modules/@vercel/functions 3.9.9) in a user project
// that installs its own copy, so the bundler leaves it un-aliased.

const REPO_ROOT = path.resolve(__dirname, '..', '..');

let project: string;
let fn: LocalFunction;

beforeAll(async () => {
  project = mkdtempSync(path.join(tmpdir(), 'vfa-real-package-'));
  mkdirSync(path.join(project, 'api'));
  mkdirSync(path.join(project, 'node_modules', '@vercel'), { recursive: true });
  symlinkSync(
    path.join(REPO_ROOT, 'node_modules', '@vercel', 'functions'),
    path.join(project, 'node_modules', '@vercel', 'functions'),
  );
  const entry = path.join(project, 'api', 'real.ts');
  copyFileSync(path.join(__dirname, 'fixtures', 'real-package.ts'), entry);
  fn = await startLocalFunction({ entry, projectDir: project });
});
afterAll(async () => {
  await fn?.stop();
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the real @vercel/functions package', () => {
  test('is bundled instead of the runtime shim when the project has its own copy', () => {
    const bundle = readFileSync(path.join(fn.taskRoot, 'index.js'), 'utf8');
    expect(bundle).toContain('node_modules/@vercel/functions/wait-until.js');
    expect(bundle).not.toContain('runtime/wait-until.ts');
  });

  test('reads ipAddress and geolocation from the headers the adapter derives from CloudFront', async () => {
    const response = await fetch(`${fn.url}/context`, {
      headers: {
        'cloudfront-viewer-address': '203.0.113.50:5000',
        'cloudfront-viewer-country': 'DE',
        'cloudfront-viewer-city': 'Frankfurt%20am%20Main',
        'x-real-ip': '6.6.6.6',
      },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ipAddress: '203.0.113.50',
      geolocation: { city: 'Frankfurt am Main', country: 'DE', flag: '🇩🇪', region: 'iad1' },
    });
  });

  test('keeps the invocation alive for its waitUntil after the response is complete', async () => {
    const response = await fetch(`${fn.url}/wait-until`);
    expect(await response.text()).toBe('sent');
    const completedAt = Date.now();
    const requestId = response.headers.get('x-amzn-requestid')!;

    const line = await fn.runtime.waitForLog(new RegExp(`${requestId}.*real package task done at (\\d+)`));
    const taskDoneAt = Number(/at (\d+)$/.exec(line.text)![1]);
    expect(taskDoneAt).toBeGreaterThan(completedAt);
    const invocation = fn.runtimeApi.invocation(requestId)!;
    await invocation.ended;
    expect(invocation.endedAt).toBeGreaterThanOrEqual(taskDoneAt);
  });
});
