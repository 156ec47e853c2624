import { Cdn } from '../../../../lib/cdn';
import type { FunctionUrlInvocation } from '../../../../lib/local/cloudfront';
import { OriginProtection } from '../../../../lib/origin-protection';
import { createHandler } from '../../../../runtime/handler/create-handler';
import { installFakeLambdaRuntime, invoke } from '../../../runtime/handler/fake-lambda';
import { plainFunction } from '../../helpers';
import { cleanUp, type EmulatedStack, emulate, synthesize } from './helpers';

// Under secretHeader() the Cdn forwards the viewer's Authorization to the function, but CloudFront
// does not key on it: the adapter's CDN step must keep a cacheable response to such a request out
// of the cache, or one viewer's authenticated response is served to everyone.

let restoreRuntime: () => void;
let warnings: jest.SpyInstance;
let cdn: EmulatedStack;

beforeAll(async () => {
  restoreRuntime = installFakeLambdaRuntime();
  warnings = jest.spyOn(console, 'warn').mockImplementation(() => {});
  const stack = synthesize((scope) => {
    new Cdn(scope, 'Cdn', {
      enableLogging: false,
      originProtection: OriginProtection.secretHeader(),
    }).addFunction('/api/me', plainFunction(scope, 'Me'));
  });
  const secretId = Object.keys(stack.template.Resources).find(
    (id) => stack.template.Resources[id].Type === 'AWS::SecretsManager::Secret',
  );
  // The adapter itself answers (in process): a handler ported from Vercel that lets the CDN cache.
  const handler = createHandler({
    GET: (request: Request) =>
      Response.json(
        { user: request.headers.get('authorization') ?? 'anonymous' },
        { headers: { 'cache-control': 'public, s-maxage=60' } },
      ),
  });
  cdn = await emulate(
    stack,
    async (event): Promise<FunctionUrlInvocation> => {
      const { prelude, body } = await invoke(handler, event);
      const payload = { ...prelude, body: body.toString('utf8') };
      return { kind: 'buffered', payload: Buffer.from(JSON.stringify(payload)) };
    },
    { bindings: { secretValues: { [secretId as string]: 's3cr3t' } } },
  );
});
afterAll(async () => {
  await cleanUp();
  warnings.mockRestore();
  restoreRuntime();
});

describe('the adapter behind the emulated CloudFront with OriginProtection.secretHeader()', () => {
  test('does not serve an authenticated response to the next anonymous viewer when the request carried Authorization', async () => {
    const alice = await fetch(`${cdn.url}/api/me?case=auth`, { headers: { authorization: 'Bearer alice' } });
    expect(await alice.json()).toEqual({ user: 'Bearer alice' });
    const anonymous = await fetch(`${cdn.url}/api/me?case=auth`);
    expect(await anonymous.json()).toEqual({ user: 'anonymous' });
    expect(anonymous.headers.get('x-cache')).toBe('Miss from cloudfront');
    expect(warnings.mock.calls.map((args) => String(args[0])).join('\n')).toMatch(
      /\/api\/me is not cached by CloudFront: the request has Authorization/,
    );
  });

  test('still caches the response to an anonymous request', async () => {
    const first = await fetch(`${cdn.url}/api/me?case=anonymous`);
    expect(await first.json()).toEqual({ user: 'anonymous' });
    const second = await fetch(`${cdn.url}/api/me?case=anonymous`);
    expect(await second.json()).toEqual({ user: 'anonymous' });
    expect(second.headers.get('x-cache')).toBe('Hit from cloudfront');
  });
});
