import { setTimeout as sleep } from 'node:timers/promises';
import type {
  AttributeValue,
  DynamoDBClient,
  KeysAndAttributes,
  WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { TAG_TABLE_ENV } from '../constructs-contract';
import { CorruptCacheEntryError } from '../errors';
import {
  getDynamoDBClient,
  isConditionFailure,
  isTransientFailure,
  isWriteConflict,
  loadDynamoDBSdk,
} from './dynamodb-client';
import {
  CACHE_ITEM,
  DYNAMODB_CHUNK_VALUE_BYTES,
  DYNAMODB_MAX_ITEM_BYTES,
  TAG_EXPIRY_ITEM,
} from './dynamodb-schema';
import {
  type EntryHead,
  PersistentRuntimeCache,
  type PersistentRuntimeCacheOptions,
  type ReadRequest,
  type ReadResult,
  type StoredChunk,
  type StoredEntry,
} from './persistent-cache';

/** Options of a {@link DynamoDBRuntimeCache}. */
export interface DynamoDBRuntimeCacheOptions extends PersistentRuntimeCacheOptions {
  /** The cache table (RuntimeCacheTable). */
  readonly cacheTableName: string;
  /**
   * The tag table (TagTable). Without it, `expireTag` cannot expire anything (it logs an error) and
   * reads do not check tags.
   *
   * @default - no tag table
   */
  readonly tagTableName?: string;
  /** @default - the process-wide client from getDynamoDBClient() */
  readonly client?: DynamoDBClient;
}

type Item = Record<string, AttributeValue>;

// BatchGetItem takes at most 100 keys
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html).
const MAX_BATCH_GET_KEYS = 100;
// Tag rows written at once by one expireTag. BatchWriteItem cannot carry a condition, so each tag is
// its own UpdateItem; capping them leaves the client's sockets (50 by default in the SDK's Node
// handler) to the process's concurrent gets and sets instead of queueing them behind 1,000 tags.
// A large call is served by time, not width: its budget grows with its tag count (25 at once wrote
// 350–1,000 tags a second to a warm DynamoDB Local on an overloaded 2-core machine).
const MAX_PARALLEL_TAG_WRITES = 25;
// Bytes a number may take in an item ("1 byte per two significant digits + 1", 38 digits at most),
// and headroom for the parts of DynamoDB's size accounting the docs leave vague (set overhead).
const MAX_NUMBER_BYTES = 21;
const ITEM_SIZE_MARGIN = 1024;
// Least pause before rewriting an entry whose write met another write of the key in flight (up to
// twice this, jittered so that the writers of one key do not meet again): about one transaction's time.
const CONFLICT_RETRY_MS = 25;

const utf8 = /* @__PURE__ */ new TextEncoder();

/**
 * The Runtime Cache on DynamoDB: maps the cache logic of {@link PersistentRuntimeCache} to SDK
 * commands on the cache table and the tag table, nothing more.
 *
 * - read: the head alone (a steady-state hit on a one-item entry whose tags the memo trusts) is a
 *   GetItem — about 9% faster than a BatchGetItem of one key on DynamoDB Local, at the same capacity
 *   cost. Anything more is one BatchGetItem for the head, the remembered chunks and the tags' expiry
 *   rows (several in parallel beyond 100 keys; unprocessed keys retried). Entries are read eventually
 *   consistent (half the cost; another process's just-written value may take a moment to show)
 *   unless this process wrote the key moments ago ({@link ReadRequest.consistent}); tag rows always
 *   strongly consistent, so a row read after `expireTag` resolved reflects it.
 * - write: a one-item entry is a PutItem, conditional on not replacing a chunked entry (whose
 *   chunks would be orphaned); a chunked entry, or that case, is one TransactWriteItems that puts
 *   every item and deletes the unused chunk slots — all or nothing. A write refused because another
 *   write of the key was in flight is retried once, then left to that other write, without an error.
 * - delete: one BatchWriteItem deleting every chunk slot.
 * - expireTag: one conditional UpdateItem per tag, 25 in parallel, that only ever moves the row's
 *   `expiredAt` forward — a slow call that started earlier cannot overwrite a newer expiry and bring
 *   expired entries back. A throttled write is retried until the call's budget ends.
 */
export class DynamoDBRuntimeCache extends PersistentRuntimeCache {
  private readonly cacheTableName: string;
  private readonly tagTableName?: string;
  private readonly client?: DynamoDBClient;

  constructor(options: DynamoDBRuntimeCacheOptions) {
    super(
      { chunkValueBytes: DYNAMODB_CHUNK_VALUE_BYTES, parallelTagWrites: MAX_PARALLEL_TAG_WRITES },
      options,
    );
    this.cacheTableName = options.cacheTableName;
    this.tagTableName = options.tagTableName;
    this.client = options.client;
  }

  protected async readItems(request: ReadRequest, signal: AbortSignal): Promise<ReadResult> {
    if (request.head && request.chunks.length === 0 && (request.tags.length === 0 || !this.tagTableName)) {
      const head = await this.getHead(request.key, request.consistent, signal);
      return { head, chunks: new Map(), tagExpiredAt: new Map() };
    }
    const sortKeys = request.head ? [0, ...request.chunks] : [...request.chunks];
    const keys: [string, Item][] = sortKeys.map((sk) => [this.cacheTableName, cacheItemKey(request.key, sk)]);
    if (this.tagTableName) {
      for (const tag of request.tags) keys.push([this.tagTableName, tagExpiryKey(tag)]);
    }
    const responses = await Promise.all(
      chunk(keys, MAX_BATCH_GET_KEYS).map((batch) => this.batchGet(batch, request.consistent, signal)),
    );

    let head: ReadResult['head'];
    const chunks = new Map<number, StoredChunk>();
    const tagExpiredAt = new Map<string, number>();
    for (const response of responses) {
      for (const item of response[this.cacheTableName] ?? []) {
        const sk = Number(item[CACHE_ITEM.sortKey]?.N);
        if (sk === 0) head = parseHead(request.key, item, this.maxChunks);
        else chunks.set(sk, parseChunk(request.key, sk, item));
      }
      if (!this.tagTableName) continue;
      for (const item of response[this.tagTableName] ?? []) {
        const tag = item[TAG_EXPIRY_ITEM.partitionKey]?.S?.slice(TAG_EXPIRY_ITEM.partitionPrefix.length);
        const expiredAt = Number(item[TAG_EXPIRY_ITEM.expiredAt]?.N);
        if (tag !== undefined && Number.isFinite(expiredAt)) tagExpiredAt.set(tag, expiredAt);
      }
    }
    return { head, chunks, tagExpiredAt };
  }

  protected async writeEntry(entry: StoredEntry, signal: AbortSignal): Promise<void> {
    try {
      await this.putEntry(entry, signal);
    } catch (error) {
      if (!isWriteConflict(error)) throw error;
      // Another write of this key was in flight. Retried once, not given up at once: DynamoDB prepares a
      // transaction's items in parallel, so two writes can cancel each other and leave the previous
      // value in place; after a jittered pause the other write has usually landed. Not more than once:
      // the usual cause is many processes filling one missed key at once, each write costing up to
      // ~4,000 write units (a 2 MB value, transactional), and a second conflict means yet another
      // write of the key is landing, which readers may get as well as ours (last writer wins).
      await sleep(CONFLICT_RETRY_MS + Math.random() * CONFLICT_RETRY_MS, undefined, { signal });
      try {
        await this.putEntry(entry, signal);
      } catch (again) {
        if (!isWriteConflict(again)) throw again;
      }
    }
  }

  /** Writes every item of `entry` in one request: a PutItem when it can, else a transaction. */
  private async putEntry(entry: StoredEntry, signal: AbortSignal): Promise<void> {
    const [client, sdk] = await Promise.all([this.resolveClient(), loadDynamoDBSdk()]);
    const items = entry.slices.map((slice, index) =>
      index === 0 ? headItem(entry, slice) : chunkItem(entry, index, slice),
    );
    if (items.length === 1) {
      try {
        await client.send(
          new sdk.PutItemCommand({
            TableName: this.cacheTableName,
            Item: items[0],
            ConditionExpression: 'attribute_not_exists(#chunks) OR #chunks <= :one',
            ExpressionAttributeNames: { '#chunks': CACHE_ITEM.chunks },
            ExpressionAttributeValues: { ':one': { N: '1' } },
          }),
          { abortSignal: signal },
        );
        return;
      } catch (error) {
        // The key holds a chunked entry: replace it in a transaction that also removes its chunks.
        if (!isConditionFailure(error)) throw error;
      }
    }
    const unusedSlots: number[] = [];
    for (let sk = items.length; sk < this.maxChunks; sk++) unusedSlots.push(sk);
    await client.send(
      new sdk.TransactWriteItemsCommand({
        TransactItems: [
          ...items.map((Item) => ({ Put: { TableName: this.cacheTableName, Item } })),
          ...unusedSlots.map((sk) => ({
            Delete: { TableName: this.cacheTableName, Key: cacheItemKey(entry.key, sk) },
          })),
        ],
      }),
      { abortSignal: signal },
    );
  }

  protected async deleteEntry(key: string, signal: AbortSignal): Promise<void> {
    const requests: WriteRequest[] = [];
    for (let sk = 0; sk < this.maxChunks; sk++) {
      requests.push({ DeleteRequest: { Key: cacheItemKey(key, sk) } });
    }
    await this.batchWrite(this.cacheTableName, requests, signal);
  }

  protected async writeTagExpiration(tag: string, expiredAt: number, signal: AbortSignal): Promise<void> {
    const table = this.tagTableName;
    if (!table) {
      throw new Error(`no tag table is configured (${TAG_TABLE_ENV} is not set), so tags cannot be expired`);
    }
    const [client, sdk] = await Promise.all([this.resolveClient(), loadDynamoDBSdk()]);
    const input = {
      TableName: table,
      Key: tagExpiryKey(tag),
      // The row holds only its key and expiredAt (no TTL: an expiry must outlive every entry).
      UpdateExpression: 'SET #expiredAt = :expiredAt',
      ConditionExpression: 'attribute_not_exists(#expiredAt) OR #expiredAt < :expiredAt',
      ExpressionAttributeNames: { '#expiredAt': TAG_EXPIRY_ITEM.expiredAt },
      ExpressionAttributeValues: { ':expiredAt': { N: String(expiredAt) } },
    };
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt), undefined, { signal });
      try {
        await client.send(new sdk.UpdateItemCommand(input), { abortSignal: signal });
        return;
      } catch (error) {
        // The row already holds this expiry or a later one, which expires at least as much.
        if (isConditionFailure(error)) return;
        // The SDK retries a throttled request a few times, but its retry quota is shared by the whole
        // process and thousands of tags drain it; a lost expiry keeps stale entries alive, so keep
        // retrying this tag, with backoff, for as long as the call's budget lasts.
        if (!isTransientFailure(error) || signal.aborted) throw error;
      }
    }
  }

  protected headValueCapacity(key: string, head: EntryHead, expiresAt: number | undefined): number {
    let size =
      attributeSize(CACHE_ITEM.partitionKey, utf8.encode(key).byteLength) +
      attributeSize(CACHE_ITEM.sortKey, MAX_NUMBER_BYTES) +
      attributeSize(CACHE_ITEM.value, 0) +
      attributeSize(CACHE_ITEM.writeId, head.writeId.length) +
      attributeSize(CACHE_ITEM.chunks, MAX_NUMBER_BYTES) +
      attributeSize(CACHE_ITEM.encoding, head.encoding.length) +
      attributeSize(CACHE_ITEM.createdAt, MAX_NUMBER_BYTES);
    if (head.ttl !== undefined) size += attributeSize(CACHE_ITEM.ttl, MAX_NUMBER_BYTES);
    if (expiresAt !== undefined) size += attributeSize(CACHE_ITEM.expiresAt, MAX_NUMBER_BYTES);
    if (head.name !== undefined) size += attributeSize(CACHE_ITEM.name, utf8.encode(head.name).byteLength);
    if (head.tags.length > 0) {
      const tagBytes = head.tags.reduce((sum, tag) => sum + utf8.encode(tag).byteLength + 1, 3);
      size += attributeSize(CACHE_ITEM.tags, tagBytes);
    }
    return DYNAMODB_MAX_ITEM_BYTES - size - ITEM_SIZE_MARGIN;
  }

  private resolveClient(): Promise<DynamoDBClient> {
    return this.client ? Promise.resolve(this.client) : getDynamoDBClient();
  }

  /** The head item of `key` by GetItem. */
  private async getHead(key: string, consistent: boolean, signal: AbortSignal): Promise<ReadResult['head']> {
    const [client, sdk] = await Promise.all([this.resolveClient(), loadDynamoDBSdk()]);
    const { Item } = await client.send(
      new sdk.GetItemCommand({
        TableName: this.cacheTableName,
        Key: cacheItemKey(key, 0),
        ConsistentRead: consistent,
      }),
      { abortSignal: signal },
    );
    return Item ? parseHead(key, Item, this.maxChunks) : undefined;
  }

  /** One BatchGetItem (≤ 100 keys), resending unprocessed keys until done or out of time. */
  private async batchGet(
    keys: readonly [string, Item][],
    consistent: boolean,
    signal: AbortSignal,
  ): Promise<Record<string, Item[]>> {
    const [client, sdk] = await Promise.all([this.resolveClient(), loadDynamoDBSdk()]);
    let pending: Record<string, KeysAndAttributes> = {};
    for (const [table, key] of keys) {
      pending[table] ??= {
        Keys: [],
        // Tag rows strongly consistent: an expireTag that resolved is seen by every later read.
        ConsistentRead: table !== this.cacheTableName || consistent,
      };
      pending[table].Keys!.push(key);
    }
    const found: Record<string, Item[]> = {};
    for (let attempt = 0; Object.keys(pending).length > 0; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt), undefined, { signal });
      const response = await client.send(new sdk.BatchGetItemCommand({ RequestItems: pending }), {
        abortSignal: signal,
      });
      for (const [table, items] of Object.entries(response.Responses ?? {})) {
        found[table] = [...(found[table] ?? []), ...items];
      }
      pending = Object.fromEntries(
        Object.entries(response.UnprocessedKeys ?? {}).filter(([, value]) => (value.Keys?.length ?? 0) > 0),
      );
    }
    return found;
  }

  /** One BatchWriteItem (≤ 25 requests), resending unprocessed items until done or out of time. */
  private async batchWrite(table: string, requests: WriteRequest[], signal: AbortSignal): Promise<void> {
    const [client, sdk] = await Promise.all([this.resolveClient(), loadDynamoDBSdk()]);
    let pending = requests;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt), undefined, { signal });
      const response = await client.send(
        new sdk.BatchWriteItemCommand({ RequestItems: { [table]: pending } }),
        {
          abortSignal: signal,
        },
      );
      pending = response.UnprocessedItems?.[table] ?? [];
    }
  }
}

function cacheItemKey(key: string, sk: number): Item {
  return { [CACHE_ITEM.partitionKey]: { S: key }, [CACHE_ITEM.sortKey]: { N: String(sk) } };
}

function tagExpiryKey(tag: string): Item {
  return {
    [TAG_EXPIRY_ITEM.partitionKey]: { S: `${TAG_EXPIRY_ITEM.partitionPrefix}${tag}` },
    [TAG_EXPIRY_ITEM.sortKey]: { S: TAG_EXPIRY_ITEM.sortKeyValue },
  };
}

function chunkItem(entry: StoredEntry, index: number, slice: Uint8Array): Item {
  const item: Item = {
    ...cacheItemKey(entry.key, index),
    [CACHE_ITEM.value]: { B: slice },
    [CACHE_ITEM.writeId]: { S: entry.head.writeId },
  };
  // Chunks expire with their head, so DynamoDB's TTL sweeps whole entries.
  if (entry.expiresAt !== undefined) item[CACHE_ITEM.expiresAt] = { N: String(entry.expiresAt) };
  return item;
}

function headItem(entry: StoredEntry, slice: Uint8Array): Item {
  const { head } = entry;
  const item: Item = {
    ...chunkItem(entry, 0, slice),
    [CACHE_ITEM.chunks]: { N: String(head.chunks) },
    [CACHE_ITEM.encoding]: { S: head.encoding },
    [CACHE_ITEM.createdAt]: { N: String(head.createdAt) },
  };
  if (head.ttl !== undefined) item[CACHE_ITEM.ttl] = { N: String(head.ttl) };
  // A string set cannot be empty, and an empty name means "no name" upstream.
  if (head.tags.length > 0) item[CACHE_ITEM.tags] = { SS: [...head.tags] };
  if (head.name !== undefined) item[CACHE_ITEM.name] = { S: head.name };
  return item;
}

function parseChunk(key: string, sk: number, item: Item): StoredChunk {
  const value = item[CACHE_ITEM.value]?.B;
  const writeId = item[CACHE_ITEM.writeId]?.S;
  if (!value || writeId === undefined) {
    throw new CorruptCacheEntryError(
      `chunk ${sk} of key '${key}' lacks '${CACHE_ITEM.value}' or '${CACHE_ITEM.writeId}'`,
    );
  }
  return { value, writeId };
}

function parseHead(key: string, item: Item, maxChunks: number): EntryHead & { value: Uint8Array } {
  const { value, writeId } = parseChunk(key, 0, item);
  const chunks = Number(item[CACHE_ITEM.chunks]?.N);
  const createdAt = Number(item[CACHE_ITEM.createdAt]?.N);
  const encoding = item[CACHE_ITEM.encoding]?.S;
  const ttl = item[CACHE_ITEM.ttl]?.N === undefined ? undefined : Number(item[CACHE_ITEM.ttl].N);
  if (!Number.isInteger(chunks) || chunks < 1 || chunks > maxChunks) {
    throw new CorruptCacheEntryError(`head item of key '${key}' has an invalid '${CACHE_ITEM.chunks}'`);
  }
  if (!Number.isFinite(createdAt) || encoding === undefined || (ttl !== undefined && !(ttl > 0))) {
    throw new CorruptCacheEntryError(`head item of key '${key}' lacks a valid createdAt, encoding or ttl`);
  }
  return {
    value,
    writeId,
    chunks,
    createdAt,
    encoding,
    ttl,
    tags: item[CACHE_ITEM.tags]?.SS ?? [],
    name: item[CACHE_ITEM.name]?.S,
  };
}

// DynamoDB counts an attribute as its name's UTF-8 length plus its value's size.
function attributeSize(name: string, valueBytes: number): number {
  return name.length + valueBytes;
}

function chunk<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

// Exponential with full jitter, as the SDK retries: 25, 50, 100 ms… caps at 400 ms.
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(400, 25 * 2 ** (attempt - 1));
}
