import * as path from 'node:path';
import { type LocalFunction, startLocalFunction } from './local-function';

// Vercel passes Web handlers a second argument with `waitUntil` (@vercel/node's FetchEvent); code that
// uses it must run unchanged. Classic Lambda: one invocation at a time, each ending after its
// waitUntil() work, so the next request sees what the previous one's work did.

let methods: LocalFunction;
let defaultFetch: LocalFunction;

beforeAll(async () => {
  [methods, defaultFetch] = await Promise.all([
    startLocalFunction({ entry: path.join(__dirname, 'fixtures', 'handler-context.ts') }),
    startLocalFunction({ entry: path.join(__dirname, 'fixtures', 'default-fetch-context.ts') }),
  ]);
});
afterAll(async () => {
  await Promise.all([methods?.stop(), defaultFetch?.stop()]);
});

describe('the context argument of Web handlers', () => {
  test('waits for context.waitUntil() work when a method export calls it', async () => {
    const response = await fetch(`${methods.url}/?label=method`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('scheduled');
    await expect((await fetch(`${methods.url}/`)).json()).resolves.toEqual(['method']);
  });

  test('waits for the work when the handler destructures waitUntil from its context', async () => {
    const response = await fetch(`${methods.url}/`, { method: 'POST' });
    expect(await response.text()).toBe('scheduled');
    await expect((await fetch(`${methods.url}/`)).json()).resolves.toEqual(['method', 'destructured']);
    expect(methods.logs.filter((line) => /ERROR|TypeError/.test(line.text))).toEqual([]);
  });

  test('passes the context to default.fetch too', async () => {
    const response = await fetch(`${defaultFetch.url}/`);
    expect(await response.text()).toBe('scheduled');
    await expect((await fetch(`${defaultFetch.url}/done`)).json()).resolves.toEqual(['fetch']);
  });
});
