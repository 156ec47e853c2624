import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  createRuntimeTables,
  type DynamoDBLocal,
  startDynamoDBLocal,
} from '../../../lib/local/dynamodb-local';
import { DynamoDBRuntimeCache } from '../../../runtime/cache/dynamodb-cache';
import { resetDynamoDBClient } from '../../../runtime/cache/dynamodb-client';
import { Awaiter } from '../../../runtime/handler/awaiter';
import { RequestContext, runWithRequestContext } from '../../../runtime/handler/request-context';
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
        expect.stringContaining(
          'expireTag did not expire 1 of 1 tag(s) ("t"); entries carrying them may still be served',
        ),
      ]);
      expect(error.mock.calls[0][1]).toMatch(/ECONNREFUSED|connect/);
    } finally {
      client.destroy();
    }
  });
});

// DynamoDB's JSON protocol error bodies (awsJson1_0) for each way the endpoint misbehaves.
function errorBody(respond: string): object {
  switch (respond) {
    case 'deny':
      return {
        __type: 'com.amazon.coral.service#AccessDeniedException',
        message: 'User is not authorized to perform: dynamodb:UpdateItem',
      };
    // A transaction that met another one in flight on the same items (DynamoDB Local never sends it).
    case 'conflict':
      return {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        message:
          'Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]',
        CancellationReasons: [
          { Code: 'None' },
          { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
        ],
      };
    case 'cancel':
      return {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        message:
          'Transaction cancelled, please refer cancellation reasons for specific reasons [ValidationError, TransactionConflict]',
        CancellationReasons: [
          { Code: 'ValidationError', Message: 'Item size has exceeded the maximum allowed size' },
          { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
        ],
      };
    // A single-item write that met a transaction in flight on its item.
    case 'item-conflict':
      return {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionConflictException',
        message: 'Operation was rejected because there is an ongoing transaction for the item.',
      };
    default:
      return {
        __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
        message: 'Rate of requests exceeds the allowed throughput.',
      };
  }
}

describe('DynamoDBRuntimeCache against a misbehaving endpoint', () => {
  let server: Server;
  let requests: number;
  // The operation of each request, from its X-Amz-Target header (`DynamoDB_20120810.PutItem`).
  let operations: string[];
  let respond: 'throttle' | 'hang' | 'deny' | 'conflict' | 'cancel' | 'item-conflict';
  // Requests answered with `respond` before every later one succeeds.
  let failFirst: number;
  let restoreEnv: () => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      requests++;
      operations.push(String(req.headers['x-amz-target']).split('.')[1]);
      if (requests > failFirst) {
        // An UpdateItem that returns no attributes answers with an empty object.
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end('{}');
        return;
      }
      if (respond === 'hang') return;
      // DynamoDB's JSON protocol error shape (awsJson1_0).
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(errorBody(respond)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    restoreEnv = useDynamoDBEndpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  beforeEach(() => {
    requests = 0;
    operations = [];
    failFirst = Number.POSITIVE_INFINITY;
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

  test('keeps retrying a throttled tag write past the SDK attempts until it lands', async () => {
    respond = 'throttle';
    failFirst = 4;
    // One attempt per send: every retry seen here is the cache's own.
    const client = new DynamoDBClient({ maxAttempts: 1 });
    try {
      const cache = new DynamoDBRuntimeCache({ ...tables, client });
      await expect(cache.expireTag('t')).resolves.toBeUndefined();
      expect(requests).toBe(5);
      expect(error).not.toHaveBeenCalled();
    } finally {
      client.destroy();
    }
  });

  test('stops sending and logs every tag left when a tag write is refused', async () => {
    respond = 'deny';
    const client = new DynamoDBClient({ maxAttempts: 1 });
    try {
      const cache = new DynamoDBRuntimeCache({ ...tables, client });
      const tags = Array.from({ length: 200 }, (_, i) => `t${i}`);
      await expect(cache.expireTag(tags)).resolves.toBeUndefined();
      // Only the first wave of parallel writes was sent; none was retried.
      expect(requests).toBeLessThanOrEqual(25);
      expect(error).toHaveBeenCalledTimes(1);
      expect(error).toHaveBeenCalledWith(
        expect.stringContaining(
          'expireTag did not expire 200 of 200 tag(s) ("t0", "t1", "t2", "t3", "t4", and 195 more)',
        ),
        'AccessDeniedException: User is not authorized to perform: dynamodb:UpdateItem',
      );
    } finally {
      client.destroy();
    }
  });

  test('ends a large expireTag short of the invocation deadline when DynamoDB does not answer', async () => {
    respond = 'hang';
    // 50 tags at 1 s each would far outlive the invocation.
    const cache = new DynamoDBRuntimeCache({
      ...tables,
      timeouts: { expireTag: 200, expireTagPerTag: 1000 },
    });
    const context = new RequestContext({
      requestId: 'req',
      headers: {},
      deadline: Date.now() + 1500,
      awaiter: new Awaiter(() => {}),
    });
    const tags = Array.from({ length: 50 }, (_, i) => `t${i}`);
    await runWithRequestContext(context, () => cache.expireTag(tags));
    expect(error).toHaveBeenCalledTimes(1);
    const [message, reason] = error.mock.calls[0];
    expect(message).toContain('expireTag did not expire 50 of 50 tag(s)');
    // The budget left 500 ms of the invocation for the response.
    const [, budget] = /^its (\d+) ms budget ran out$/.exec(reason) ?? [];
    expect(Number(budget)).toBeGreaterThanOrEqual(200);
    expect(Number(budget)).toBeLessThanOrEqual(1000);
  });

  describe('concurrent writes of one key', () => {
    // A value of several items is written by one TransactWriteItems; another write of the key in
    // flight cancels it with TransactionConflict reasons. Real DynamoDB only: DynamoDB Local never
    // reports conflicts, so this endpoint answers as DynamoDB does.
    const chunkedValue = () => randomBytes(800_000).toString('base64');
    let client: DynamoDBClient;
    beforeEach(() => {
      // One attempt per send: every retry seen here is the cache's own.
      client = new DynamoDBClient({ maxAttempts: 1 });
    });
    afterEach(() => client.destroy());

    test('retries once and logs nothing when a transaction is cancelled by a conflict', async () => {
      respond = 'conflict';
      failFirst = 1;
      const cache = new DynamoDBRuntimeCache({ ...tables, client });
      await expect(cache.set('k', chunkedValue())).resolves.toBeUndefined();
      expect(operations).toEqual(['TransactWriteItems', 'TransactWriteItems']);
      expect(error).not.toHaveBeenCalled();
    });

    test('gives the key to the concurrent write and logs nothing when the retry meets a conflict too', async () => {
      respond = 'conflict';
      const cache = new DynamoDBRuntimeCache({ ...tables, client });
      await expect(cache.set('k', chunkedValue())).resolves.toBeUndefined();
      expect(operations).toEqual(['TransactWriteItems', 'TransactWriteItems']);
      expect(error).not.toHaveBeenCalled();
    });

    test('retries once when a one-item write meets a transaction in flight', async () => {
      respond = 'item-conflict';
      failFirst = 1;
      const cache = new DynamoDBRuntimeCache({ ...tables, client });
      await expect(cache.set('k', 'small')).resolves.toBeUndefined();
      expect(operations).toEqual(['PutItem', 'PutItem']);
      expect(error).not.toHaveBeenCalled();
    });

    test('logs without retrying when a cancellation reason is not a conflict', async () => {
      respond = 'cancel';
      const cache = new DynamoDBRuntimeCache({ ...tables, client });
      await expect(cache.set('k', chunkedValue(), { name: 'report' })).resolves.toBeUndefined();
      expect(operations).toEqual(['TransactWriteItems']);
      expect(error).toHaveBeenCalledTimes(1);
      expect(error).toHaveBeenCalledWith(
        "[vercel-functions-aws] Runtime Cache: set of 'report' failed, the value was not cached:",
        expect.stringContaining('TransactionCanceledException'),
      );
    });
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
