import { InvalidCacheTagError } from '../../runtime/errors';
import type * as CreateHandlerModule from '../../runtime/handler/create-handler';
import type * as RequestContextModule from '../../runtime/handler/request-context';
import { functionUrlEvent, installFakeLambdaRuntime, invoke } from './handler/fake-lambda';

// The request context's optional features (handler/service-registry.ts) as a bundle sees them:
// each test loads the runtime into a fresh module registry, as if it were a bundle holding only
// the modules the test requires.

const CONTEXT_SYMBOL = Symbol.for('@vercel/request-context');
const slot = globalThis as Record<symbol, unknown>;

afterEach(() => {
  delete slot[CONTEXT_SYMBOL];
  jest.restoreAllMocks();
});

/** Loads `modules` (paths under runtime/) into a fresh registry and returns the first one. */
function load<T>(...modules: string[]): T {
  let first: unknown;
  jest.isolateModules(() => {
    for (const [i, module] of modules.entries()) {
      const loaded: unknown = require(`../../runtime/${module}`);
      if (i === 0) first = loaded;
    }
  });
  return first as T;
}

function newContext({ RequestContext }: typeof RequestContextModule) {
  return new RequestContext({
    requestId: 'req-services',
    headers: { 'x-vfa-distribution-id': 'E1SERVICES' },
    deadline: Date.UTC(2026, 10, 27, 12, 0, 0),
    awaiter: { waitUntil: () => {}, size: 0 } as never,
  });
}

describe('the published request context', () => {
  test('carries waitUntil, headers and deadline but no cache, purge or addCacheTag when the bundle holds none of them', () => {
    const context = newContext(load<typeof RequestContextModule>('handler/request-context'));
    const published = context.vercelContext;
    expect(published.headers).toEqual({ 'x-vfa-distribution-id': 'E1SERVICES' });
    expect(typeof published.waitUntil).toBe('function');
    expect(published.deadline).toBe('2026-11-27T12:00:00.000Z');
    expect(published.cache).toBeUndefined();
    expect(published.purge).toBeUndefined();
    expect(published.addCacheTag).toBeUndefined();
  });

  test('carries purge and addCacheTag once context-services is loaded, even for a context published before', () => {
    jest.isolateModules(() => {
      const requestContext: typeof RequestContextModule = require('../../runtime/handler/request-context');
      const published = newContext(requestContext).vercelContext;
      expect(published.purge).toBeUndefined();
      require('../../runtime/context-services');
      expect(typeof published.purge?.invalidateByTag).toBe('function');
      expect(typeof published.addCacheTag).toBe('function');
      // One purge API per request, not one per read.
      expect(published.purge).toBe(published.purge);
    });
  });

  test('carries addCacheTag when the bundle imports addCacheTag, and purge only with a purge call', () => {
    const requestContext = load<typeof RequestContextModule>('handler/request-context', 'addcachetag/index');
    const published = newContext(requestContext).vercelContext;
    expect(typeof published.addCacheTag).toBe('function');
    expect(published.purge).toBeUndefined();
  });

  test('carries purge when the bundle imports a purge call', () => {
    const requestContext = load<typeof RequestContextModule>('handler/request-context', 'purge/index');
    expect(typeof newContext(requestContext).vercelContext.purge?.dangerouslyDeleteByTag).toBe('function');
  });

  test("validates tags through the context's addCacheTag when context-services is loaded", async () => {
    const requestContext = load<typeof RequestContextModule>('handler/request-context', 'context-services');
    const addCacheTag = newContext(requestContext).vercelContext.addCacheTag;
    // Over 256 bytes (a comma separates tags, as on Vercel, so `a,b` is two valid tags).
    await expect(addCacheTag?.('t'.repeat(257))).rejects.toMatchObject({ name: InvalidCacheTagError.name });
  });
});

describe('the adapter without the tag table code', () => {
  test('writes the first 50 header tags and logs the rest when the handler sets more than CloudFront keeps', async () => {
    const uninstall = installFakeLambdaRuntime();
    const warnings = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const { createHandler } = load<typeof CreateHandlerModule>('handler/create-handler');
      const tags = Array.from({ length: 60 }, (_, i) => `Tag-${i}`);
      const handler = createHandler({
        GET: () =>
          new Response('ok', {
            headers: { 'Vercel-Cache-Tag': tags.join(','), 'cache-control': 's-maxage=60' },
          }),
      });
      const result = await invoke(handler, functionUrlEvent(), { requestId: 'req-overflow' });
      expect(result.prelude?.headers?.['vercel-cache-tag']?.split(',')).toEqual(
        tags.slice(0, 50).map((tag) => tag.toLowerCase()),
      );
      const logged = warnings.mock.calls.map((args) => String(args[0])).join('\n');
      expect(logged).toContain("10 cache tag(s) beyond CloudFront's 50 per object are not applied");
      expect(logged).toContain('tag-59');
      expect(logged).toContain('(request req-overflow)');
    } finally {
      uninstall();
    }
  });

  test('answers without logging anything when the handler sets no tag', async () => {
    const uninstall = installFakeLambdaRuntime();
    const warnings = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const { createHandler } = load<typeof CreateHandlerModule>('handler/create-handler');
      const result = await invoke(createHandler({ GET: () => new Response('ok') }), functionUrlEvent());
      expect(result.prelude?.statusCode).toBe(200);
      expect(result.prelude?.headers?.['vercel-cache-tag']).toBeUndefined();
      expect(warnings).not.toHaveBeenCalled();
    } finally {
      uninstall();
    }
  });
});
