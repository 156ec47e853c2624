import { performance } from 'node:perf_hooks';
import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type DynamoDBClient,
  DynamoDBClient as DynamoDBClientClass,
  GetItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { getCache } from '../runtime/cache';
import { DynamoDBRuntimeCache } from '../runtime/cache/dynamodb-cache';
import { getDynamoDBClient } from '../runtime/cache/dynamodb-client';
import { CACHE_ITEM, TAG_EXPIRY_ITEM } from '../runtime/cache/dynamodb-schema';
import { createKeyTransformer } from '../runtime/cache/hash';
import { DEFAULT_TAG_EXPIRY_MEMO_MS } from '../runtime/cache/tag-expiry-memo';
import { interleaved } from './interleave';
import { type LocalTables, withDynamoDBLocal } from './local-aws';
import { compare } from './measurement';
import { median } from './stats';
import type { BenchContext, Benchmark, Measurement, Target } from './types';

/**
 * P3 — the Runtime Cache on official DynamoDB Local.
 * - Hit cost: `getCache().get` of an entry with two tags vs a raw `GetItem` of the same entry's head
 *   item, p50 per round, interleaved. Steady state: the runtime remembers the key's layout and trusts
 *   its tags' expiry rows for 300 ms (Vercel's `expireTag` propagation bound), so most hits read the
 *   entry alone and one every 300 ms also re-reads the tag rows — the report says how many did.
 * - The hit that reads its tag rows (memo lapsed, or `tagExpiryMemoMs: 0`), measured in the same
 *   rounds with a memo-less cache, against the raw `GetItem` and against a raw `BatchGetItem` of the
 *   three items it reads (the entry and its tags' expiry rows): informational, separating the
 *   runtime's own cost from DynamoDB's cost of reading three items.
 * - `expireTag`: the DynamoDB requests it issues for a tag on 10 entries vs on 10,000 entries, and
 *   a check that the entries it expired are misses afterwards.
 */

const ROUNDS = 15;
const WARMUP_ROUNDS = 1;
const OPERATIONS_PER_ROUND = 150;
const HIT_KEY = 'bench-hit';
const HIT_VALUE = { message: 'hello', items: [1, 2, 3] };
const HIT_TAGS = ['bench-a', 'bench-b'];
const SMALL_TAG_ENTRIES = 10;
const LARGE_TAG_ENTRIES = 10_000;
const MISS_CHECKS = 50;
const HIT_TARGET: Target = { on: 'ratio', op: '<=', value: 1.25, unit: 'x' };
const EXPIRE_TAG_TARGET: Target = { on: 'ratio', op: '==', value: 1, unit: 'x' };

/** Every HTTP request the runtime's own DynamoDB client sent, retries included, by command. */
interface RequestCounter {
  count: number;
  readonly byCommand: Map<string, number>;
}

export const p3: Benchmark = {
  name: 'p3',
  description:
    'cache hit p50 vs raw GetItem p50 on DynamoDB Local (tag rows memoized, and read); expireTag requests for 10 vs 10,000 entries',
  expected: {
    'p3.hit': HIT_TARGET,
    'p3.hit-tag-rows': null,
    'p3.hit-tag-rows-runtime': null,
    'p3.expire-tag': EXPIRE_TAG_TARGET,
  },
  run: (context) =>
    withDynamoDBLocal(async (tables) => {
      const requests = await countRuntimeRequests();
      const raw = new DynamoDBClientClass({ maxAttempts: 3, requestHandler: { connectionTimeout: 1_000 } });
      try {
        return [
          ...(await hitCost(context, tables, raw, requests)),
          await expireTagCost(context, tables, raw, requests),
        ];
      } finally {
        raw.destroy();
      }
    }),
};

async function countRuntimeRequests(): Promise<RequestCounter> {
  const counter: RequestCounter = { count: 0, byCommand: new Map() };
  (await getDynamoDBClient()).middlewareStack.add(
    (next, context) => async (args) => {
      counter.count++;
      const command = context.commandName ?? 'unknown';
      counter.byCommand.set(command, (counter.byCommand.get(command) ?? 0) + 1);
      return next(args);
    },
    // The deserialize step runs once per attempt, below the retry middleware.
    { step: 'deserialize', name: 'vfaBenchRequestCounter' },
  );
  return counter;
}

/** The requests counted while `operation` ran, by command. */
async function counted(requests: RequestCounter, operation: () => Promise<number>) {
  const before = new Map(requests.byCommand);
  const result = await operation();
  const sent = new Map<string, number>();
  for (const [command, count] of requests.byCommand) {
    const delta = count - (before.get(command) ?? 0);
    if (delta > 0) sent.set(command, delta);
  }
  return { result, sent };
}

function addInto(total: Map<string, number>, sent: ReadonlyMap<string, number>): void {
  for (const [command, count] of sent) total.set(command, (total.get(command) ?? 0) + count);
}

/** "0.99 GetItem + 0.01 BatchGetItem" requests per operation. */
function perOperation(sent: ReadonlyMap<string, number>, operations: number): string {
  return [...sent]
    .sort(([, a], [, b]) => b - a)
    .map(([command, count]) => `${(count / operations).toFixed(3)} ${command.replace(/Command$/, '')}`)
    .join(' + ');
}

async function hitCost(
  context: BenchContext,
  tables: LocalTables,
  raw: DynamoDBClient,
  requests: RequestCounter,
): Promise<Measurement[]> {
  const cache = getCache();
  await cache.set(HIT_KEY, HIT_VALUE, { tags: HIT_TAGS });
  const storedKey = createKeyTransformer()(HIT_KEY);
  // Stands for a hit whose tag memo lapsed: the same process-wide client, no memo.
  const readsTagRows = new DynamoDBRuntimeCache({
    cacheTableName: tables.cacheTableName,
    tagTableName: tables.tagTableName,
    tagExpiryMemoMs: 0,
  });
  const headKey = {
    [CACHE_ITEM.partitionKey]: { S: storedKey },
    [CACHE_ITEM.sortKey]: { N: '0' },
  };
  // What a hit reading its tag rows reads, with the runtime's consistency: the entry eventually
  // consistent, tag rows strongly.
  const batchGet = new BatchGetItemCommand({
    RequestItems: {
      [tables.cacheTableName]: { Keys: [headKey] },
      [tables.tagTableName]: {
        Keys: HIT_TAGS.map((tag) => ({
          [TAG_EXPIRY_ITEM.partitionKey]: { S: `${TAG_EXPIRY_ITEM.partitionPrefix}${tag}` },
          [TAG_EXPIRY_ITEM.sortKey]: { S: TAG_EXPIRY_ITEM.sortKeyValue },
        })),
        ConsistentRead: true,
      },
    },
  });
  const rounds = context.rounds ?? ROUNDS;
  let misses = 0;
  const sent = { get: new Map<string, number>(), getTagRows: new Map<string, number>() };
  const operations = { get: 0, getTagRows: 0 };
  const timed = async (operation: () => Promise<unknown>) => {
    const latencies: number[] = [];
    for (let i = 0; i < OPERATIONS_PER_ROUND; i++) {
      const started = performance.now();
      await operation();
      latencies.push(performance.now() - started);
    }
    return median(latencies);
  };
  const checkHit = (value: unknown) => {
    if (JSON.stringify(value) !== JSON.stringify(HIT_VALUE)) misses++;
  };
  context.log(
    `P3: ${rounds} interleaved rounds of ${OPERATIONS_PER_ROUND} sequential getCache().get hits (tag rows memoized), hits reading their tag rows, raw GetItems and raw BatchGetItems, p50 per round`,
  );
  const p50 = await interleaved(
    {
      rounds,
      warmupRounds: WARMUP_ROUNDS,
      variants: ['get', 'getTagRows', 'getItem', 'batchGetItem'] as const,
      onRound: (round, results) =>
        context.log(
          `  round ${round + 1}/${rounds}: p50 ${results.get.toFixed(2)} ms getCache().get, ${results.getTagRows.toFixed(2)} ms get reading tag rows, ${results.getItem.toFixed(2)} ms GetItem, ${results.batchGetItem.toFixed(2)} ms BatchGetItem`,
        ),
    },
    async (variant, round) => {
      if (variant === 'getItem') {
        return timed(async () => {
          const { Item } = await raw.send(
            new GetItemCommand({ TableName: tables.cacheTableName, Key: headKey }),
          );
          if (!Item) throw new Error(`P3: GetItem found no head item for '${HIT_KEY}'`);
        });
      }
      if (variant === 'batchGetItem') {
        return timed(async () => {
          const { Responses } = await raw.send(batchGet);
          if (Responses?.[tables.cacheTableName]?.length !== 1) {
            throw new Error(`P3: BatchGetItem found no head item for '${HIT_KEY}'`);
          }
        });
      }
      const read = variant === 'get' ? () => cache.get(HIT_KEY) : () => readsTagRows.get(storedKey);
      const measured = await counted(requests, () => timed(async () => checkHit(await read())));
      if (round >= 0) {
        addInto(sent[variant], measured.sent);
        operations[variant] += OPERATIONS_PER_ROUND;
      }
      return measured.result;
    },
  );
  if (misses > 0) {
    throw new Error(
      `P3: ${misses} of the cache gets missed an entry that was set; the hit cost would be wrong`,
    );
  }
  const hit = { label: 'getCache().get hit', values: p50.get };
  const hitReadingTags = { label: 'hit reading its tag rows', values: p50.getTagRows };
  const getItem = { label: 'raw GetItem', values: p50.getItem };
  return [
    compare(
      context,
      { a: hit, b: getItem, unit: 'ms (p50)' },
      {
        id: 'p3.hit',
        title: `P3 cache hit p50, getCache().get ÷ raw GetItem (DynamoDB Local, entry with 2 tags, steady state: tag rows trusted for ${DEFAULT_TAG_EXPIRY_MEMO_MS} ms)`,
        target: HIT_TARGET,
        withDifference: true,
        note: `official DynamoDB Local; requests per get: ${perOperation(sent.get, operations.get)} (the entry alone, and the entry with its tags' expiry rows once their ${DEFAULT_TAG_EXPIRY_MEMO_MS} ms memo lapsed)`,
      },
    ),
    compare(
      context,
      { a: hitReadingTags, b: getItem, unit: 'ms (p50)' },
      {
        id: 'p3.hit-tag-rows',
        title: 'P3 cache hit p50 reading its tag rows (memo lapsed, or tagExpiryMemoMs: 0) ÷ raw GetItem',
        target: null,
        withDifference: true,
        note: `informational: what a hit costs at most once per ${DEFAULT_TAG_EXPIRY_MEMO_MS} ms per tag and process, and on every hit with tagExpiryMemoMs 0; requests per get: ${perOperation(sent.getTagRows, operations.getTagRows)}`,
      },
    ),
    compare(
      context,
      {
        a: hitReadingTags,
        b: { label: 'raw BatchGetItem of the same 3 items', values: p50.batchGetItem },
        unit: 'ms (p50)',
      },
      {
        id: 'p3.hit-tag-rows-runtime',
        title: 'P3 cache hit p50 reading its tag rows ÷ raw BatchGetItem of the 3 items it reads',
        target: null,
        withDifference: true,
        note: 'informational: the request such a hit sends, sent raw; the rest is the runtime (decoding, freshness and tag checks)',
      },
    ),
  ];
}

async function expireTagCost(
  context: BenchContext,
  tables: LocalTables,
  raw: DynamoDBClient,
  requests: RequestCounter,
): Promise<Measurement> {
  const cache = getCache();
  const key = createKeyTransformer();
  const groups = {
    small: { tag: 'bench-ten', entries: SMALL_TAG_ENTRIES },
    large: { tag: 'bench-ten-thousand', entries: LARGE_TAG_ENTRIES },
  };
  context.log(`P3: writing ${SMALL_TAG_ENTRIES} and ${LARGE_TAG_ENTRIES} entries carrying one tag each`);
  for (const group of Object.values(groups)) {
    const keys = Array.from({ length: group.entries }, (_, i) => `${group.tag}-${i}`);
    // One entry through the cache, the rest as copies of its items (the same layout, written in bulk).
    await cache.set(keys[0], { n: 0 }, { tags: [group.tag] });
    const { Item } = await raw.send(
      new GetItemCommand({
        TableName: tables.cacheTableName,
        Key: { [CACHE_ITEM.partitionKey]: { S: key(keys[0]) }, [CACHE_ITEM.sortKey]: { N: '0' } },
        ConsistentRead: true,
      }),
    );
    if (!Item) throw new Error(`P3: the entry '${keys[0]}' was not written`);
    await copyItem(raw, tables.cacheTableName, Item, keys.slice(1).map(key));
  }
  const sampled = (group: { tag: string; entries: number }) =>
    Array.from(
      { length: Math.min(MISS_CHECKS, group.entries) },
      (_, i) => `${group.tag}-${Math.floor((i * group.entries) / Math.min(MISS_CHECKS, group.entries))}`,
    );
  const counts: Record<'small' | 'large', number> = { small: 0, large: 0 };
  for (const which of ['small', 'large'] as const) {
    const group = groups[which];
    const hitsBefore = await countHits(sampled(group));
    if (hitsBefore !== sampled(group).length) {
      throw new Error(
        `P3: only ${hitsBefore} of ${sampled(group).length} sampled '${group.tag}' entries were hits before expireTag`,
      );
    }
    const before = requests.count;
    await cache.expireTag(group.tag);
    counts[which] = requests.count - before;
    const hitsAfter = await countHits(sampled(group));
    if (hitsAfter !== 0) {
      throw new Error(`P3: ${hitsAfter} sampled '${group.tag}' entries were still hits after expireTag`);
    }
  }
  return compare(
    context,
    {
      a: { label: `requests, tag on ${LARGE_TAG_ENTRIES} entries`, values: [counts.large] },
      b: { label: `requests, tag on ${SMALL_TAG_ENTRIES} entries`, values: [counts.small] },
      unit: 'DynamoDB requests',
    },
    {
      id: 'p3.expire-tag',
      title: `P3 DynamoDB requests issued by expireTag, tag on ${LARGE_TAG_ENTRIES.toLocaleString('en-US')} entries ÷ on ${SMALL_TAG_ENTRIES}`,
      target: EXPIRE_TAG_TARGET,
      withDifference: true,
      note: `each expireTag verified: ${MISS_CHECKS} sampled entries (all 10 of the small tag) were hits before and misses after`,
    },
  );

  async function countHits(keys: readonly string[]): Promise<number> {
    const values = await Promise.all(keys.map((k) => cache.get(k)));
    return values.filter((value) => value !== null).length;
  }
}

/** Writes copies of `item` under each partition key, 25 per BatchWriteItem, 8 batches at a time. */
async function copyItem(
  client: DynamoDBClient,
  table: string,
  item: Record<string, AttributeValue>,
  partitionKeys: readonly string[],
): Promise<void> {
  const batches: string[][] = [];
  for (let i = 0; i < partitionKeys.length; i += 25) batches.push(partitionKeys.slice(i, i + 25));
  for (let i = 0; i < batches.length; i += 8) {
    await Promise.all(
      batches.slice(i, i + 8).map(async (batch) => {
        let pending: WriteRequest[] = batch.map((pk) => ({
          PutRequest: { Item: { ...item, [CACHE_ITEM.partitionKey]: { S: pk } } },
        }));
        while (pending.length > 0) {
          const response = await client.send(
            new BatchWriteItemCommand({ RequestItems: { [table]: pending } }),
          );
          pending = response.UnprocessedItems?.[table] ?? [];
        }
      }),
    );
  }
}
