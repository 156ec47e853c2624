import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createRuntimeTables,
  type DynamoDBLocal,
  startDynamoDBLocal,
} from '../../../lib/local/dynamodb-local';
import { DynamoDBRuntimeCache } from '../../../runtime/cache/dynamodb-cache';
import { resetDynamoDBClient } from '../../../runtime/cache/dynamodb-client';
import { testCache, useDynamoDBEndpoint } from './dynamodb-env';

// Faults fail open: the cache never fails a response. These tests break the store on purpose, so
// they use their own DynamoDB Local (stopped mid-test) and loopback endpoints speaking DynamoDB's
// JSON protocol, never the run's shared instance.

const tables = { cacheTableName: 'fault-cache', tagTableName: 'fault-tags' };
let error: jest.SpyInstance;

beforeEach(() => {
  error = jest.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(async () => {
  jest.restoreAllMocks();
  await resetDynamoDBClient();
});

describe('DynamoDBRuntimeCache when DynamoDB Local stops mid-test', () => {
  let ddb: DynamoDBLocal | undefined;
  let restoreEnv: () => void;

  beforeAll(async () => {
    ddb = await startDynamoDBLocal();
    restoreEnv = useDynamoDBEndpoint(ddb.endpoint);
    await createRuntimeTables(ddb.endpoint, tables);
  });
  afterAll(async () => {
    restoreEnv();
    await ddb?.stop();
  });

  test('misses on get and logs, resolves set, delete and expireTag and logs', async () => {
    const { cache, client } = testCache(tables);
    try {
      await cache.set('k', 'v', { tags: ['t'] });
      expect(await cache.get('k')).toBe('v');
      expect(error).not.toHaveBeenCalled();

      await ddb!.stop();

      await expect(cache.get('k')).resolves.toBeNull();
      await expect(cache.set('k', 'w', { tags: ['t'] })).resolves.toBeUndefined();
      await expect(cache.delete('k')).resolves.toBeUndefined();
      await expect(cache.expireTag('t')).resolves.toBeUndefined();
      const logged = error.mock.calls.map((call) => String(call[0]));
      expect(logged).toEqual([
        expect.stringContaining("get of key 'k' failed, treating it as a miss"),
        expect.stringContaining("set of 'k' failed, the value was not cached"),
        expect.stringContaining("delete of key 'k' failed"),
        expect.stringContaining('expireTag(["t"]) failed, entries carrying these tags may still be served'),
      ]);
      expect(error.mock.calls[0][1]).toMatch(/ECONNREFUSED|connect/);
    } finally {
      client.destroy();
    }
  });
});

describe('DynamoDBRuntimeCache against a misbehaving endpoint', () => {
  let server: Server;
  let requests: number;
  let respond: 'throttle' | 'hang';
  let restoreEnv: () => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      requests++;
      if (respond === 'hang') return;
      // DynamoDB's JSON protocol error shape (awsJson1_0).
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
          message: 'Rate of requests exceeds the allowed throughput.',
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    restoreEnv = useDynamoDBEndpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  beforeEach(() => {
    requests = 0;
  });
  afterAll(async () => {
    restoreEnv();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('misses after a bounded number of attempts when DynamoDB throttles', async () => {
    respond = 'throttle';
    // The process-wide client, configured as in a deployed function.
    const cache = new DynamoDBRuntimeCache(tables);
    await expect(cache.get('k')).resolves.toBeNull();
    await expect(cache.set('k', 1)).resolves.toBeUndefined();
    expect(error).toHaveBeenCalledTimes(2);
    expect(String(error.mock.calls[0][1])).toMatch(/ThrottlingException|AbortError|TimeoutError/);
    // At most maxAttempts (3) per operation, fewer when the time budget ends the retries first.
    expect(requests).toBeGreaterThanOrEqual(2);
    expect(requests).toBeLessThanOrEqual(6);
  });

  test('misses when DynamoDB does not answer within the time budget', async () => {
    respond = 'hang';
    const cache = new DynamoDBRuntimeCache({ ...tables, timeouts: { get: 200, set: 200 } });
    await expect(cache.get('k')).resolves.toBeNull();
    await expect(cache.set('k', 1)).resolves.toBeUndefined();
    expect(error).toHaveBeenCalledTimes(2);
    expect(String(error.mock.calls[0][1])).toMatch(/abort|timeout/i);
  });
});
