import {
  CloudFrontFunctionError,
  type CloudFrontFunctionModel,
  CloudFrontFunctionRunner,
  type FunctionEvent,
  type KeyValueStoreModel,
} from '../../../../lib/local/cloudfront';

// The sandbox CloudFront Functions run in: the JavaScript runtime 2.0 module system, the `cloudfront`
// helpers (key value stores, origin selection), strict mode, isolation and result checks.

const STORE: KeyValueStoreModel = {
  logicalId: 'Store',
  id: 'a1b2c3d4-0000-0000-0000-000000000000',
  arn: 'arn:aws:cloudfront::000000000000:key-value-store/a1b2c3d4-0000-0000-0000-000000000000',
  entries: new Map([
    ['text', 'hello'],
    ['doc', '{"origin":"B"}'],
  ]),
};

function runner(code: string, keyValueStores: KeyValueStoreModel[] = []): CloudFrontFunctionRunner {
  const model: CloudFrontFunctionModel = {
    logicalId: 'Fn',
    name: 'test-fn',
    runtime: 'cloudfront-js-2.0',
    code,
    keyValueStores,
  };
  return new CloudFrontFunctionRunner(model, { originIds: new Set(['A', 'B']) });
}

function event(eventType: 'viewer-request' | 'viewer-response' = 'viewer-request'): FunctionEvent {
  return {
    version: '1.0',
    context: {
      distributionDomainName: 'd1.cloudfront.net',
      distributionId: 'E1',
      eventType,
      requestId: 'r1',
    },
    viewer: { ip: '198.51.100.7' },
    request: {
      method: 'GET',
      uri: '/x',
      querystring: {},
      headers: { host: { value: 'example.com' } },
      cookies: {},
    },
    ...(eventType === 'viewer-response' ? { response: { statusCode: 200, headers: {}, cookies: {} } } : {}),
  };
}

describe('CloudFrontFunctionRunner', () => {
  test('selects an origin and reads a key value store through the cloudfront module', async () => {
    const fn = runner(
      `import cf from 'cloudfront';
const kvs = cf.kvs();
async function handler(event) {
  const doc = await kvs.get('doc', { format: 'json' });
  event.request.headers['x-text'] = { value: await kvs.get('text') };
  event.request.headers['x-has'] = { value: String(await kvs.exists('missing')) };
  cf.selectRequestOriginById(doc.origin);
  return event.request;
}`,
      [STORE],
    );
    const outcome = await fn.run(event());
    expect(outcome).toMatchObject({
      kind: 'request',
      originId: 'B',
      request: { headers: { 'x-text': { value: 'hello' }, 'x-has': { value: 'false' } } },
    });
  });

  test('rejects a missing key, an unknown store and an unknown origin as execution errors', async () => {
    const cases = [
      `import cf from 'cloudfront'; async function handler(e) { await cf.kvs().get('nope'); return e.request; }`,
      `import cf from 'cloudfront'; function handler(e) { cf.kvs('other-id'); return e.request; }`,
      `import cf from 'cloudfront'; function handler(e) { cf.selectRequestOriginById('C'); return e.request; }`,
      `import cf from 'cloudfront'; function handler(e) { cf.updateRequestOrigin({}); return e.request; }`,
    ];
    for (const code of cases) {
      await expect(runner(code, [STORE]).run(event())).rejects.toMatchObject({
        name: 'FunctionExecutionError',
        kind: 'execution',
      });
    }
  });

  test('returns a generated response from a viewer-request function', async () => {
    const fn = runner(
      `function handler() { return { statusCode: 302, headers: { location: { value: '/y' } } }; }`,
    );
    expect(await fn.run(event())).toEqual({
      kind: 'response',
      response: {
        statusCode: 302,
        headers: { location: { value: '/y' } },
        cookies: {},
        body: undefined,
        statusDescription: undefined,
      },
    });
  });

  test('refuses results CloudFront would refuse', async () => {
    const invalid = [
      'function handler() { return undefined; }',
      "function handler(e) { e.request.method = 'POST'; return e.request; }",
      "function handler(e) { e.request.uri = 'no-slash'; return e.request; }",
      "function handler(e) { e.request.headers.x = 'not an object'; return e.request; }",
      `function handler() { return { statusCode: 200, body: '${'x'.repeat(41 * 1024)}' }; }`,
    ];
    for (const code of invalid) {
      await expect(runner(code).run(event())).rejects.toMatchObject({ name: 'FunctionValidationError' });
    }
    await expect(
      runner('function handler(e) { return e.request; }').run(event('viewer-response')),
    ).rejects.toThrow(CloudFrontFunctionError);
  });

  test('runs in strict mode with a fresh global scope per invocation', async () => {
    await expect(
      runner('function handler(e) { leaked = 1; return e.request; }').run(event()),
    ).rejects.toThrow(/leaked is not defined/);
    const counter = runner(
      "var count = 0; function handler(e) { count++; e.request.headers['x-count'] = { value: String(count) }; return e.request; }",
    );
    await counter.run(event());
    const second = await counter.run(event());
    expect(second).toMatchObject({ request: { headers: { 'x-count': { value: '1' } } } });
  });

  test('stops a function that never returns', async () => {
    await expect(runner('function handler() { for (;;) {} }').run(event())).rejects.toThrow(/timed out/);
  });

  test('offers the crypto and querystring modules of the runtime, and refuses others', async () => {
    const fn = runner(`import crypto from 'crypto';
import qs from 'querystring';
function handler(e) {
  e.request.headers['x-hash'] = { value: crypto.createHash('sha256').update('a').digest('hex').slice(0, 8) };
  e.request.headers['x-qs'] = { value: qs.stringify({ a: 1 }) };
  return e.request;
}`);
    expect(await fn.run(event())).toMatchObject({
      request: { headers: { 'x-hash': { value: 'ca978112' }, 'x-qs': { value: 'a=1' } } },
    });
    await expect(
      runner("import fs from 'fs'; function handler(e) { return e.request; }").run(event()),
    ).rejects.toThrow(/Cannot find module 'fs'/);
  });

  test('refuses code that does not compile when the runner is created', () => {
    expect(() => runner('function handler( {')).toThrow(/does not compile/);
  });
});
