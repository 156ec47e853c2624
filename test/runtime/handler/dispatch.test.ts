import { InvalidHandlerModuleError } from '../../../runtime/errors';
import { createDispatcher } from '../../../runtime/handler/dispatch';
import type { VercelModule } from '../../../runtime/handler/types';

const request = (method: string) => new Request('https://example.com/api/x', { method });

async function call(userModule: VercelModule, method: string): Promise<Response> {
  return (await createDispatcher(userModule)(request(method))) as Response;
}

describe('createDispatcher', () => {
  test('calls default.fetch as a method when the default export is an object with fetch', async () => {
    const app = {
      greeting: 'hi from this',
      fetch(this: { greeting: string }, req: Request) {
        return new Response(`${this.greeting} ${req.method}`);
      },
    };
    const response = await call({ default: app }, 'DELETE');
    expect(await response.text()).toBe('hi from this DELETE');
  });

  test('calls a default function of one parameter for every method', async () => {
    const userModule = { default: (req: Request) => new Response(req.method) };
    expect(await (await call(userModule, 'GET')).text()).toBe('GET');
    expect(await (await call(userModule, 'PATCH')).text()).toBe('PATCH');
  });

  test('prefers the default export when named method exports exist too', async () => {
    const userModule = {
      default: { fetch: () => new Response('default') },
      GET: () => new Response('named'),
    };
    expect(await (await call(userModule, 'GET')).text()).toBe('default');
  });

  test('calls the named export for the method when there is no default handler', async () => {
    const userModule: VercelModule = {
      GET: () => new Response('got'),
      POST: async (req) => new Response(`posted ${await req.text()}`),
    };
    const dispatch = createDispatcher(userModule);
    expect(await ((await dispatch(request('GET'))) as Response).text()).toBe('got');
    const post = new Request('https://example.com/', { method: 'POST', body: 'data' });
    expect(await ((await dispatch(post)) as Response).text()).toBe('posted data');
  });

  test('ignores a default export that is not a handler when named method exports exist', async () => {
    const userModule = {
      default: { config: true },
      GET: () => new Response('named'),
    } as unknown as VercelModule;
    expect(await (await call(userModule, 'GET')).text()).toBe('named');
  });

  test('falls back to GET when HEAD has no export of its own', async () => {
    const seen: string[] = [];
    const userModule: VercelModule = {
      GET: (req) => {
        seen.push(req.method);
        return new Response('body');
      },
    };
    expect((await call(userModule, 'HEAD')).status).toBe(200);
    expect(seen).toEqual(['HEAD']);
  });

  test('uses the HEAD export when there is one', async () => {
    const userModule: VercelModule = {
      GET: () => new Response('get'),
      HEAD: () => new Response(null, { status: 204 }),
    };
    expect((await call(userModule, 'HEAD')).status).toBe(204);
  });

  test('answers 405 with an Allow header when the method has no export', async () => {
    const response = await call({ GET: () => new Response(), POST: () => new Response() }, 'DELETE');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toBe('Method Not Allowed');
  });

  test('passes every Web handler shape the same context object, with a waitUntil', async () => {
    const seen: unknown[] = [];
    const record = (_req: Request, context: unknown) => {
      seen.push(context);
      return new Response();
    };
    await call({ GET: record }, 'GET');
    await call({ default: { fetch: record } }, 'GET');
    // A one-parameter default function receives it too, as Vercel's edge handlers do.
    await call({ default: (req: Request, ...rest: unknown[]) => record(req, rest[0]) }, 'GET');
    expect(seen).toHaveLength(3);
    expect(seen[0]).toEqual({ waitUntil: expect.any(Function) });
    expect(seen[1]).toBe(seen[0]);
    expect(seen[2]).toBe(seen[0]);
  });

  test('does nothing when context.waitUntil() is called outside a request', async () => {
    let context: { waitUntil(promise: Promise<unknown>): void } | undefined;
    await call(
      {
        GET: (_req, ctx) => {
          context = ctx;
          return new Response();
        },
      },
      'GET',
    );
    expect(context).toBeDefined();
    expect(() => context?.waitUntil(Promise.resolve())).not.toThrow();
  });

  test('answers OPTIONS with 204 and Allow when there is no OPTIONS export', async () => {
    const response = await call({ PUT: () => new Response() }, 'OPTIONS');
    expect(response.status).toBe(204);
    expect(response.headers.get('allow')).toBe('PUT, OPTIONS');
  });

  test('calls the OPTIONS export when there is one', async () => {
    const response = await call(
      { GET: () => new Response(), OPTIONS: () => new Response('custom') },
      'OPTIONS',
    );
    expect(await response.text()).toBe('custom');
  });

  test('returns whatever the handler returned so the caller can check it', async () => {
    const dispatch = createDispatcher({ GET: () => 'not a response' as unknown as Response });
    expect(await dispatch(request('GET'))).toBe('not a response');
  });

  test('throws naming a Node (req, res) handler when the default export takes two parameters', () => {
    const nodeHandler = (_req: unknown, _res: unknown) => {};
    expect(() => createDispatcher({ default: nodeHandler as never })).toThrow(InvalidHandlerModuleError);
    expect(() => createDispatcher({ default: nodeHandler as never })).toThrow(
      /default export is a function of 2 parameters — a Node\.js \(req, res\) handler/,
    );
  });

  test('throws listing what the module exports when it has no handler', () => {
    expect(() => createDispatcher({ config: {}, helper: 1 } as VercelModule)).toThrow(
      /The module exports no request handler \(found exports config, helper\)\. Use export default \{ fetch/,
    );
    expect(() => createDispatcher({})).toThrow(/found no exports/);
  });

  test('throws when default.fetch or a method export is not a function', () => {
    expect(() => createDispatcher({ default: { fetch: 'nope' } } as unknown as VercelModule)).toThrow(
      `The default export's fetch is the string "nope", not a function`,
    );
    expect(() => createDispatcher({ GET: 42 } as unknown as VercelModule)).toThrow(
      'The export GET is the number 42, not a function',
    );
  });

  test('throws when the default export is neither a handler nor accompanied by method exports', () => {
    expect(() => createDispatcher({ default: 'hello' } as unknown as VercelModule)).toThrow(
      /The default export is the string "hello", which is not a request handler/,
    );
  });

  test('throws when it is given something that is not a module object', () => {
    expect(() => createDispatcher(undefined as unknown as VercelModule)).toThrow(
      /Expected the handler module object \(import \* as mod from '\.\/api\/route'\), got undefined/,
    );
    expect(() => createDispatcher((() => new Response()) as unknown as VercelModule)).toThrow(
      /got a function of 0 parameters/,
    );
  });
});
