import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { getDeadline } from '../deadline';
import { CorruptCacheEntryError } from '../errors';
import { type EntryHint, EntryHints } from './entry-hints';
import { expireTagBudgetMs, writeTagsWithin } from './expire-tags';
import { RecentWrites } from './recent-writes';
import { DEFAULT_TAG_EXPIRY_MEMO_MS, NEVER_EXPIRED, TagExpiryMemo } from './tag-expiry-memo';
import type { RuntimeCache } from './types';
import {
  fitsValueLimit,
  MAX_LOG_LABEL_BYTES,
  MAX_NAME_BYTES,
  MAX_VALUE_BYTES,
  serializeValue,
  truncateUtf8,
  validateCacheKey,
  validateExpireTags,
  validateSetOptions,
  validateTagExpiryMemoMs,
} from './validation';
import { decodeValue, encodeValue } from './value-codec';

/** Per-operation time budgets in milliseconds, retries included. */
export interface CacheTimeouts {
  /** @default 500 — upstream's default cache timeout; past it, recomputing is usually faster */
  readonly get: number;
  /** @default 2000 — a 2 MB value is a multi-item transaction */
  readonly set: number;
  /** @default 1000 */
  readonly delete: number;
  /**
   * Budget of an `expireTag` call with one tag.
   *
   * @default 2000 — a lost expiry keeps stale entries alive, so it gets the longest budget
   */
  readonly expireTag: number;
  /**
   * Added to the `expireTag` budget for each tag after the first (each tag is one write), never past
   * the invocation's deadline.
   *
   * @default 10 — 100 tags a second, the slowest rate measured: 25 at a time on an overloaded
   * 2-core machine, DynamoDB Local wrote 350–1,000 tags a second once warm but only 100–230 on its
   * first call. DynamoDB itself (single-digit-ms writes) is faster still; the slack absorbs
   * throttling retries. It only costs time when the store is slow: a call ends as its writes do.
   */
  readonly expireTagPerTag: number;
  /**
   * Most the per-tag allowance may raise the `expireTag` budget to.
   *
   * @default 60000 — about 5,800 tags at the per-tag allowance
   */
  readonly expireTagMax: number;
}

export const DEFAULT_CACHE_TIMEOUTS: CacheTimeouts = {
  get: 500,
  set: 2000,
  delete: 1000,
  expireTag: 2000,
  expireTagPerTag: 10,
  expireTagMax: 60_000,
};

/** Options of a {@link PersistentRuntimeCache}. */
export interface PersistentRuntimeCacheOptions {
  /** Clock in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Per-operation time budgets. @default DEFAULT_CACHE_TIMEOUTS */
  readonly timeouts?: Partial<CacheTimeouts>;
  /** Memory of each key's layout for one-round-trip reads. @default - a new EntryHints with its defaults */
  readonly hints?: EntryHints;
  /**
   * Milliseconds a tag's expiry, once read, is trusted before reading its row again: a hit whose tags
   * were all checked within this window reads only the entry. An `expireTag` in another process is
   * seen within this bound; one in this process at once. 0 reads the tag rows on every hit.
   *
   * @default 300 — Vercel's documented propagation bound for `expireTag` ("within 300ms")
   */
  readonly tagExpiryMemoMs?: number;
}

/** The item limits of the store behind a {@link PersistentRuntimeCache}. */
export interface StoreLimits {
  /** Value bytes carried by each item after the head. */
  readonly chunkValueBytes: number;
  /** Tag expiry writes one `expireTag` keeps in flight at once. */
  readonly parallelTagWrites: number;
}

/** What an `expireTag` call could not expire. */
export interface ExpireTagFailure {
  /** Tags not written, or still unconfirmed when the budget ended, in call order. */
  readonly unwritten: readonly string[];
  /** Which tags, of how many, and the consequence: "did not expire 1 of 2 tag(s) ("a"); …". */
  readonly message: string;
  /** Why, for a log line or an error message: the error's name and message, or the budget. */
  readonly reason: unknown;
  /** The first failed write's error, or the budget's abort reason. */
  readonly cause: unknown;
}

/** The head item's metadata: everything about an entry but its value bytes. */
export interface EntryHead {
  /** Epoch milliseconds of the write (before serialization, so a concurrent expireTag wins). */
  readonly createdAt: number;
  /** Seconds after `createdAt` the entry stops being fresh; absent = never. */
  readonly ttl?: number;
  readonly tags: readonly string[];
  /** Items the value is spread over, head included (≥ 1). */
  readonly chunks: number;
  readonly encoding: string;
  /** Random per write; every item of one write carries it, so a read never mixes two writes. */
  readonly writeId: string;
  readonly name?: string;
}

/** An entry as written: head metadata and the value split into per-item slices. */
export interface StoredEntry {
  readonly key: string;
  readonly head: EntryHead;
  /** When the store may delete the items (epoch seconds, rounded up); absent = never. */
  readonly expiresAt?: number;
  /** The encoded value in item-sized slices; slice 0 goes into the head item. */
  readonly slices: readonly Uint8Array[];
}

/** One item after the head, as read back. */
export interface StoredChunk {
  readonly writeId: string;
  readonly value: Uint8Array;
}

/** Items one read asks the store for, fetched together. */
export interface ReadRequest {
  readonly key: string;
  readonly head: boolean;
  /** Chunk indexes ≥ 1. */
  readonly chunks: readonly number[];
  /** Tags whose expiry to fetch. */
  readonly tags: readonly string[];
  /**
   * Read the entry's items strongly consistent: this process wrote or deleted the key moments ago
   * and must see that (read-your-own-writes). Otherwise eventually consistent, at half the cost.
   */
  readonly consistent: boolean;
}

/** What a store found for a {@link ReadRequest}; absent items are simply missing. */
export interface ReadResult {
  readonly head?: EntryHead & { readonly value: Uint8Array };
  readonly chunks: ReadonlyMap<number, StoredChunk>;
  /** Epoch milliseconds of the latest `expireTag` of each requested tag that was ever expired. */
  readonly tagExpiredAt: ReadonlyMap<string, number>;
}

const PREFIX = '[vercel-functions-aws] Runtime Cache:';
const utf8 = /* @__PURE__ */ new TextEncoder();

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}

// Tags named in a log line: enough to recognise the call, short however many tags it had.
const PREVIEW_TAGS = 5;

/** Up to the first few of `tags`, quoted, for a message: `"a", "b" and 3 more`. */
export function previewTags(tags: readonly string[]): string {
  const named = tags.slice(0, PREVIEW_TAGS).map((tag) => JSON.stringify(tag));
  if (tags.length > PREVIEW_TAGS) named.push(`and ${tags.length - PREVIEW_TAGS} more`);
  return named.join(', ');
}

function describeError(error: unknown): unknown {
  return error instanceof Error ? `${error.name}: ${error.message}` : error;
}

/**
 * The Runtime Cache logic, independent of where entries are kept: input validation, JSON
 * serialization, compression, splitting values over items, freshness rules, one-round-trip reads and
 * failing open. A subclass only maps {@link readItems}, {@link writeEntry}, {@link deleteEntry} and
 * {@link writeTagExpiration} to its store (the split Powertools uses for idempotency persistence).
 *
 * Freshness: a read is a hit only while `now <= createdAt + ttl` (upstream's in-memory rule) and every
 * tag's latest `expireTag` happened strictly before `createdAt`. `expireTag` is one write per tag,
 * however many entries carry it, and its budget grows with the number of tags (expire-tags.ts); a
 * tag not written within it is logged and never remembered as expired. A tag's expiry, once read, is
 * trusted for `tagExpiryMemoMs` (Vercel's 300 ms propagation bound), so a steady-state hit reads the
 * entry alone; this process's own `expireTag` applies to its reads at once.
 *
 * Consistency: a key this process wrote or deleted within the last second (READ_YOUR_WRITES_WINDOW_MS)
 * is read strongly consistent, so a process reads its own writes; every other entry read is eventually
 * consistent (half the cost), so another process may briefly see the previous value.
 *
 * Faults fail open, never reaching the response: a failed or slow `get` is a miss, a failed `set`,
 * `delete` or `expireTag` is logged and resolves. Bad input rejects with an `InvalidCacheInputError`
 * subclass (runtime/errors.ts) naming the problem.
 *
 * Keys arrive already transformed (hashed, namespaced) by `getCache()`. No per-request state: one
 * instance serves every invocation of a process.
 */
export abstract class PersistentRuntimeCache implements RuntimeCache {
  /** Most items one entry can take: a head plus enough chunks for a maximal value. */
  protected readonly maxChunks: number;
  private readonly now: () => number;
  private readonly timeouts: CacheTimeouts;
  private readonly hints: EntryHints;
  private readonly recentWrites = new RecentWrites();
  private readonly tagExpiries: TagExpiryMemo;
  private readonly chunkValueBytes: number;
  private readonly parallelTagWrites: number;

  protected constructor(limits: StoreLimits, options: PersistentRuntimeCacheOptions = {}) {
    this.chunkValueBytes = limits.chunkValueBytes;
    this.parallelTagWrites = limits.parallelTagWrites;
    this.maxChunks = 1 + Math.ceil(MAX_VALUE_BYTES / limits.chunkValueBytes);
    this.now = options.now ?? Date.now;
    this.timeouts = { ...DEFAULT_CACHE_TIMEOUTS, ...options.timeouts };
    this.hints = options.hints ?? new EntryHints();
    this.tagExpiries = new TagExpiryMemo({
      maxAgeMs: validateTagExpiryMemoMs(options.tagExpiryMemoMs ?? DEFAULT_TAG_EXPIRY_MEMO_MS),
    });
  }

  /**
   * Fetches the requested items and tag rows, in one round trip where the store allows. A request for
   * the head alone (no chunks, no tags) is the common steady-state hit: map it to the store's cheapest
   * single-item read.
   */
  protected abstract readItems(request: ReadRequest, signal: AbortSignal): Promise<ReadResult>;

  /** Writes every item of `entry` atomically, leaving no items of an earlier write of the key. */
  protected abstract writeEntry(entry: StoredEntry, signal: AbortSignal): Promise<void>;

  /** Deletes every item of `key`. */
  protected abstract deleteEntry(key: string, signal: AbortSignal): Promise<void>;

  /**
   * Records `expiredAt` (epoch ms) as the latest expiry of `tag`, retrying throttled writes until
   * `signal` aborts; resolves once recorded. Never replaces a later expiry already recorded (and
   * resolves then too) — concurrent calls may land out of order, and moving a tag's expiry back
   * would bring expired entries back.
   */
  protected abstract writeTagExpiration(tag: string, expiredAt: number, signal: AbortSignal): Promise<void>;

  /**
   * Value bytes the head item can carry next to its metadata, or ≤ 0 when the metadata alone does
   * not fit (a store whose items are small next to 128 tags of 256 bytes).
   */
  protected abstract headValueCapacity(key: string, head: EntryHead, expiresAt: number | undefined): number;

  async get(key: string): Promise<unknown | null> {
    validateCacheKey(key);
    try {
      return await this.read(key, AbortSignal.timeout(this.timeouts.get));
    } catch (error) {
      console.error(`${PREFIX} get of key '${key}' failed, treating it as a miss:`, describeError(error));
      return null;
    }
  }

  async set(
    key: string,
    value: unknown,
    options?: { name?: string; tags?: string[]; ttl?: number },
  ): Promise<void> {
    const createdAt = this.now();
    validateCacheKey(key);
    const { tags, ttl: requestedTtl, name: fullName } = validateSetOptions(options);
    // The name only labels the entry: cut, it can never crowd the value out of the item.
    const name = fullName === undefined ? undefined : truncateUtf8(fullName, MAX_NAME_BYTES);
    const label = truncateUtf8(fullName ?? key, MAX_LOG_LABEL_BYTES);
    const json = utf8.encode(serializeValue(value, label));
    if (!fitsValueLimit(json.byteLength, label)) {
      await this.delete(key);
      return;
    }
    // Whole milliseconds (at least one), so the stored number never needs an exponent; a ttl too large
    // for a date means never expiring.
    const expiresAt = requestedTtl === undefined ? undefined : storeExpiry(createdAt, requestedTtl);
    const ttl =
      requestedTtl === undefined || expiresAt === undefined
        ? undefined
        : Math.max(1, Math.round(requestedTtl * 1000)) / 1000;
    try {
      const { encoding, body } = await encodeValue(json);
      const head: EntryHead = {
        createdAt,
        ttl,
        tags,
        chunks: 1,
        encoding,
        writeId: randomBytes(9).toString('base64url'),
        name,
      };
      const slices = this.split(key, head, expiresAt, body);
      if (!slices) {
        console.warn(
          `${PREFIX} '${label}' was not cached: its metadata (name, tags) leaves no room for the value in one item`,
        );
        await this.delete(key);
        return;
      }
      const entry: StoredEntry = { key, head: { ...head, chunks: slices.length }, expiresAt, slices };
      try {
        await this.writeEntry(entry, AbortSignal.timeout(this.timeouts.set));
      } finally {
        // Even a failed write (a timeout) may have landed: read the key consistently for a moment.
        this.recentWrites.record(key, this.now());
      }
      this.hints.remember(key, { chunks: slices.length, tags });
    } catch (error) {
      console.error(`${PREFIX} set of '${label}' failed, the value was not cached:`, describeError(error));
    }
  }

  async delete(key: string): Promise<void> {
    validateCacheKey(key);
    this.hints.forget(key);
    try {
      await this.deleteEntry(key, AbortSignal.timeout(this.timeouts.delete));
    } catch (error) {
      console.error(`${PREFIX} delete of key '${key}' failed:`, describeError(error));
    } finally {
      this.recentWrites.record(key, this.now());
    }
  }

  async expireTag(tag: string | string[]): Promise<void> {
    const failure = await this.expireTagReporting(tag);
    if (failure) console.error(`${PREFIX} expireTag ${failure.message}:`, failure.reason);
  }

  /**
   * {@link expireTag}, returning what it could not expire instead of logging it, for callers that
   * must not lose an expiry silently (the purge calls reject with it). Bad input still rejects.
   */
  async expireTagReporting(tag: string | string[]): Promise<ExpireTagFailure | undefined> {
    // Deduplicated here: a tag repeated in the call is written once.
    const tags = validateExpireTags(tag);
    if (tags.length === 0) return undefined;
    const expiredAt = this.now();
    const deadline = getDeadline()?.getTime();
    const budget = expireTagBudgetMs(
      tags.length,
      {
        base: this.timeouts.expireTag,
        perTag: this.timeouts.expireTagPerTag,
        max: this.timeouts.expireTagMax,
      },
      deadline === undefined ? undefined : deadline - Date.now(),
    );
    const signal = AbortSignal.timeout(budget);
    // Every write in flight listens to this one signal (its SDK request or its retry's sleep), and so
    // does writeTagsWithin: `parallelTagWrites` + 1 listeners, past the 10 after which Node 20 warns
    // of a leak. Doubled as headroom should an SDK version listen twice per request.
    setMaxListeners(2 * (this.parallelTagWrites + 1), signal);
    const outcome = await writeTagsWithin(tags, this.parallelTagWrites, signal, (t) =>
      this.writeTagExpiration(t, expiredAt, signal),
    );
    // This process must never serve an entry it has just expired, memo or not. Known as of the
    // write's start: any earlier expiry by another process carries an earlier time, so it is covered.
    // Only confirmed writes: a tag this process alone believed expired would make it disagree with
    // every other process until the memo forgot it.
    for (const written of outcome.written) this.tagExpiries.record(written, expiredAt, expiredAt);
    if (outcome.unwritten.length === 0) return undefined;
    return {
      unwritten: outcome.unwritten,
      message: `did not expire ${outcome.unwritten.length} of ${tags.length} tag(s) (${previewTags(outcome.unwritten)}); entries carrying them may still be served`,
      reason: signal.aborted ? `its ${budget} ms budget ran out` : describeError(outcome.reason),
      cause: outcome.reason,
    };
  }

  private split(
    key: string,
    head: EntryHead,
    expiresAt: number | undefined,
    body: Uint8Array,
  ): Uint8Array[] | undefined {
    // Size the head for the most chunks it could name, so the real count never makes it overflow.
    const capacity = Math.min(
      this.chunkValueBytes,
      this.headValueCapacity(key, { ...head, chunks: this.maxChunks }, expiresAt),
    );
    if (capacity <= 0) return undefined;
    const slices = [body.subarray(0, capacity)];
    for (let offset = capacity; offset < body.byteLength; offset += this.chunkValueBytes) {
      slices.push(body.subarray(offset, offset + this.chunkValueBytes));
    }
    return slices.length <= this.maxChunks ? slices : undefined;
  }

  private async read(key: string, signal: AbortSignal): Promise<unknown | null> {
    const startedAt = this.now();
    const hint: EntryHint = this.hints.get(key) ?? { chunks: 1, tags: [] };
    const consistent = this.recentWrites.isRecent(key, startedAt);
    // Expiry of every tag checked by this read: fetched now, or trusted from the memo.
    const expiries = new Map<string, number>();
    const firstTags = this.tagsToFetch(hint.tags, startedAt, expiries);
    const first = await this.readItems(
      { key, head: true, chunks: range(1, hint.chunks), tags: firstTags, consistent },
      signal,
    );
    this.learnTags(firstTags, first.tagExpiredAt, startedAt, expiries);
    const head = first.head;
    if (!head) {
      this.hints.forget(key);
      return null;
    }
    this.hints.remember(key, { chunks: head.chunks, tags: head.tags });
    if (!this.isFresh(head)) return null;
    // Tags the hint did not name (first read of the key here, or its tags changed) may still be trusted.
    const missingTags = this.tagsToFetch(
      head.tags.filter((tag) => !expiries.has(tag)),
      startedAt,
      expiries,
    );
    if (this.expiredByTag(head, expiries)) return null;

    const chunks = new Map([...first.chunks].filter(([, chunk]) => chunk.writeId === head.writeId));
    const missingChunks = range(1, head.chunks).filter((index) => !chunks.has(index));
    if (missingChunks.length > 0 || missingTags.length > 0) {
      // First read of this key in this process, or it changed since: one more round trip.
      const secondAt = this.now();
      const second = await this.readItems(
        { key, head: false, chunks: missingChunks, tags: missingTags, consistent },
        signal,
      );
      this.learnTags(missingTags, second.tagExpiredAt, secondAt, expiries);
      if (this.expiredByTag(head, expiries)) return null;
      for (const [index, chunk] of second.chunks)
        if (chunk.writeId === head.writeId) chunks.set(index, chunk);
    }
    if (chunks.size !== head.chunks - 1) {
      // A concurrent write or delete replaced the entry between the two reads: a miss, not a fault.
      return null;
    }
    const parts = [head.value, ...range(1, head.chunks).map((index) => chunks.get(index)!.value)];
    try {
      return await decodeValue(head.encoding, Buffer.concat(parts));
    } catch (cause) {
      throw new CorruptCacheEntryError(`the stored value of key '${key}' cannot be decoded`, { cause });
    }
  }

  /** The tags among `tags` whose rows must be read; puts the trusted ones' expiries in `expiries`. */
  private tagsToFetch(tags: readonly string[], at: number, expiries: Map<string, number>): string[] {
    const fetch: string[] = [];
    for (const tag of tags) {
      const expiredAt = this.tagExpiries.trusted(tag, at);
      if (expiredAt === undefined) fetch.push(tag);
      else expiries.set(tag, expiredAt);
    }
    return fetch;
  }

  /** Records the rows a read fetched (a missing row: never expired) in the memo and in `expiries`. */
  private learnTags(
    tags: readonly string[],
    found: ReadonlyMap<string, number>,
    asOf: number,
    expiries: Map<string, number>,
  ): void {
    for (const tag of tags) {
      expiries.set(tag, this.tagExpiries.record(tag, found.get(tag) ?? NEVER_EXPIRED, asOf));
    }
  }

  /**
   * Whether a checked tag of `head` was expired at or after its write. The memo's latest expiry counts
   * too: an `expireTag` of this process that completed while the read was in flight must win.
   */
  private expiredByTag(head: EntryHead, expiries: ReadonlyMap<string, number>): boolean {
    for (const tag of head.tags) {
      const checked = expiries.get(tag);
      if (checked === undefined) continue;
      const expiredAt = Math.max(checked, this.tagExpiries.latest(tag) ?? NEVER_EXPIRED);
      if (expiredAt >= head.createdAt) return true;
    }
    return false;
  }

  private isFresh(head: EntryHead): boolean {
    return head.ttl === undefined || this.now() <= head.createdAt + head.ttl * 1000;
  }
}

// DynamoDB's TTL attribute is whole epoch seconds; rounding up means the store never deletes an entry
// while it is still fresh. Past the largest date (year 275760) a ttl means "never": no TTL attribute.
function storeExpiry(createdAt: number, ttl: number): number | undefined {
  const seconds = Math.ceil((createdAt + ttl * 1000) / 1000);
  return Number.isSafeInteger(seconds) && seconds <= 8.64e12 ? seconds : undefined;
}
