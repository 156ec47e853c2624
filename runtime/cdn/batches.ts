/*
 * Splitting invalidation items into CreateInvalidation batches CloudFront accepts
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/InvalidationLimits.html):
 * at most 3,000 paths per distribution in progress — tag items count as paths — and at most 15
 * wildcard paths; one request may use the whole allowance. Wildcard paths go into batches of their
 * own: their limit is the scarcer one, and a batch refused for it must not hold back `#tag` items
 * and exact paths. Batches are also kept under a byte size so that one batch always fits into one
 * tag table item (DynamoDB's 400 KB) when it has to be persisted for a retry.
 */

/** Limits of one batch. */
export interface BatchLimits {
  /** @default 3000 */
  readonly maxItems?: number;
  /** @default 15 */
  readonly maxWildcards?: number;
  /** Sum of the items' UTF-8 lengths. @default 300_000 */
  readonly maxBytes?: number;
}

export const MAX_ITEMS_PER_BATCH = 3000;
export const MAX_WILDCARDS_PER_BATCH = 15;
export const MAX_BATCH_BYTES = 300_000;

/** Whether `item` is a wildcard path (tags never carry `*`). */
export function isWildcard(item: string): boolean {
  return !item.startsWith('#') && item.endsWith('*');
}

/**
 * Splits `items` (already de-duplicated) into batches within `limits`: first the `#tag` items and
 * exact paths, then the wildcard paths, each kept in order and filling a batch before the next.
 */
export function splitIntoBatches(items: readonly string[], limits: BatchLimits = {}): string[][] {
  return [
    ...fillBatches(
      items.filter((item) => !isWildcard(item)),
      limits,
    ),
    ...fillBatches(items.filter(isWildcard), limits),
  ];
}

function fillBatches(items: readonly string[], limits: BatchLimits): string[][] {
  const maxItems = limits.maxItems ?? MAX_ITEMS_PER_BATCH;
  const maxWildcards = limits.maxWildcards ?? MAX_WILDCARDS_PER_BATCH;
  const maxBytes = limits.maxBytes ?? MAX_BATCH_BYTES;
  const batches: string[][] = [];
  let current: string[] = [];
  let wildcards = 0;
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(item, 'utf8');
    const wildcard = isWildcard(item) ? 1 : 0;
    if (
      current.length > 0 &&
      (current.length + 1 > maxItems || wildcards + wildcard > maxWildcards || bytes + size > maxBytes)
    ) {
      batches.push(current);
      current = [];
      wildcards = 0;
      bytes = 0;
    }
    current.push(item);
    wildcards += wildcard;
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
