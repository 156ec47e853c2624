import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigurationError } from '../../lib/errors';
import { findRoutingMiddleware, ROUTING_MIDDLEWARE_FILES } from '../../lib/private/routing-middleware';
import { VercelProject } from '../../lib/vercel-project';
import { testStack, writeProject } from './helpers';

// Vercel Routing Middleware runs before the functions and may be what keeps them private (a 401
// without a token). Nothing here runs it, so a project with it is refused at synth instead of being
// deployed open: a middleware file at the project root, or vercel.json's `proxy`.

const MIDDLEWARE = `export const config = { matcher: '/api/:path*' };
export default function middleware(request: Request) {
  if (request.headers.get('authorization') !== 'Bearer s3cret') return new Response('Unauthorized', { status: 401 });
}
`;

const folders: string[] = [];
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function project(files: readonly string[], vercelJson?: unknown): string {
  const dir = writeProject(files, vercelJson);
  folders.push(dir);
  return dir;
}

function synth(projectDir: string): VercelProject {
  return new VercelProject(testStack('us-east-1'), 'Project', { projectDir });
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('VercelProject with Routing Middleware', () => {
  test.each(ROUTING_MIDDLEWARE_FILES)(
    'fails the synth naming the file when the project root has %s',
    (name) => {
      const dir = project(['api/secret.ts']);
      writeFileSync(path.join(dir, name), MIDDLEWARE);
      const error = errorOf(() => synth(dir));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain(`Stack/Project: ${path.join(dir, name)} is Vercel Routing Middleware`);
      expect(error.message).toContain('vercel-functions-aws does not support Routing Middleware on AWS');
      expect(error.message).toContain('Move what it does into the functions');
      expect(error.message).toContain('or remove the file');
    },
  );

  test('fails the synth naming the entry point when vercel.json sets proxy', () => {
    const dir = project(['api/secret.ts'], {
      proxy: { entrypoint: 'src/proxy.ts', matcher: ['/api/:path*'] },
    });
    const error = errorOf(() => synth(dir));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain(
      `Stack/Project: ${path.join(dir, 'vercel.json')}: proxy configures Vercel Routing Middleware ('src/proxy.ts')`,
    );
    expect(error.message).toContain('or remove proxy from vercel.json');
  });

  test('fails the synth when vercel.json sets proxy without an entry point it can name', () => {
    const dir = project(['api/secret.ts'], { proxy: true });
    expect(() => synth(dir)).toThrow(/proxy configures Vercel Routing Middleware \(its proxy\.entrypoint\)/);
  });

  test('serves api/middleware.ts as an ordinary route when it is under api/', () => {
    const dir = project(['api/middleware.ts', 'api/hello.ts']);
    expect([...synth(dir).functions.keys()].sort()).toEqual(['/api/hello', '/api/middleware']);
  });

  test('synthesizes when the project root has a proxy.ts without vercel.json naming it', () => {
    // Next.js 16's file convention only: a Vercel functions project runs it only through `proxy`.
    const dir = project(['api/hello.ts', 'proxy.ts']);
    expect([...synth(dir).functions.keys()]).toEqual(['/api/hello']);
  });

  test('synthesizes when a folder at the project root is named like the middleware file', () => {
    const dir = project(['api/hello.ts']);
    mkdirSync(path.join(dir, 'middleware.ts'));
    expect(findRoutingMiddleware(dir)).toBeUndefined();
    expect([...synth(dir).functions.keys()]).toEqual(['/api/hello']);
  });
});
