import type { RoutePattern } from '../../runtime/handler/route';

// The route table of the edge router: the content of the CloudFront KeyValueStore that
// cloudfront-functions/shared/route-lookup.js reads (see the format described there). Written at
// synth from the routes; CloudFormation imports it when it creates the store.

/** CloudFront KeyValueStore limits (CloudFront quotas, "Quotas on key value stores"). */
export const KEY_VALUE_STORE_LIMITS = {
  /** Bytes per key. */
  keyBytes: 512,
  /** Bytes per value. */
  valueBytes: 1024,
  /** Bytes of keys and values together per store. */
  totalBytes: 5 * 1024 * 1024,
} as const;

/** One route and the origin serving it. */
export interface RouteTableEntry {
  readonly route: RoutePattern;
  readonly originId: string;
}

/** One key of the store. */
export interface RouteTableItem {
  readonly key: string;
  readonly value: string;
}

interface RouteNode {
  originId?: string;
  route?: string;
  literal: boolean;
  dynamic: boolean;
}

/**
 * The store's items: one per route prefix, e.g. `/api`, `/api/users`, `/api/users/*`.
 *
 * @throws Error naming the routes when two routes serve the same paths (`/api/[a]` and `/api/[b]`),
 *   when a literal segment holds `*` (the dynamic marker), or when a limit of the store is exceeded
 */
export function routeTableItems(entries: readonly RouteTableEntry[]): RouteTableItem[] {
  const nodes = new Map<string, RouteNode>();
  const nodeAt = (key: string) => {
    let node = nodes.get(key);
    if (!node) {
      node = { literal: false, dynamic: false };
      nodes.set(key, node);
    }
    return node;
  };
  for (const { route, originId } of entries) {
    let key = '';
    for (const segment of route.segments) {
      if (segment.kind === 'static' && segment.value.includes('*')) {
        throw new Error(
          `the route ${route.path} has a literal segment with "*", which the route table cannot hold`,
        );
      }
      if (key !== '') {
        const parent = nodeAt(key);
        if (segment.kind === 'static') parent.literal = true;
        else parent.dynamic = true;
      }
      key = `${key}/${segment.kind === 'static' ? segment.value : '*'}`;
    }
    const node = nodeAt(key);
    if (node.originId !== undefined) {
      throw new Error(`the routes ${node.route} and ${route.path} serve the same paths`);
    }
    node.originId = originId;
    node.route = route.path;
  }
  const items = [...nodes].map(([key, node]) => ({
    key,
    value: JSON.stringify({
      ...(node.originId === undefined ? {} : { o: node.originId }),
      ...(node.literal ? { l: 1 } : {}),
      ...(node.dynamic ? { d: 1 } : {}),
    }),
  }));
  let total = 0;
  for (const { key, value } of items) {
    const keyBytes = Buffer.byteLength(key);
    if (keyBytes > KEY_VALUE_STORE_LIMITS.keyBytes) {
      throw new Error(
        `the route prefix ${key} is ${keyBytes} bytes; a KeyValueStore key may have ${KEY_VALUE_STORE_LIMITS.keyBytes}`,
      );
    }
    if (Buffer.byteLength(value) > KEY_VALUE_STORE_LIMITS.valueBytes) {
      throw new Error(`the route table value of ${key} exceeds ${KEY_VALUE_STORE_LIMITS.valueBytes} bytes`);
    }
    total += keyBytes + Buffer.byteLength(value);
  }
  if (total > KEY_VALUE_STORE_LIMITS.totalBytes) {
    throw new Error(
      `the route table is ${total} bytes; a KeyValueStore holds ${KEY_VALUE_STORE_LIMITS.totalBytes}`,
    );
  }
  return items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The KeyValueStore import file: `{ "data": [{ "key", "value" }, ...] }`. */
export function routeTableImport(items: readonly RouteTableItem[]): string {
  return JSON.stringify({ data: items });
}
