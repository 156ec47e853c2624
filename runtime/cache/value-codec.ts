import type { BrotliOptions } from 'node:zlib';
import { CorruptCacheEntryError } from '../errors';

/** How a stored value's bytes are encoded: UTF-8 JSON, or Brotli-compressed UTF-8 JSON. */
export type ValueEncoding = 'json' | 'br+json';

/**
 * JSON smaller than this is stored as it is. DynamoDB bills writes per started 1 KB and reads per
 * started 4 KB, so below 1 KB compressing cannot lower the bill, only add work to every read.
 */
export const COMPRESSION_THRESHOLD_BYTES = 1024;

// Brotli at quality 4, measured on JSON API payloads (4 KB–1.8 MB) with Node 24's zlib: 10–15 %
// smaller than gzip level 6 at about the same compression time, and inflating as fast as gunzip —
// reads dominate a cache, so inflate speed matters most. Higher qualities cost 2–10× the CPU for a
// few percent. zstd was as small and faster but is experimental in Node 24 (a warning on first use)
// and missing from Node 20, which other functions sharing the table may still run. The async API
// runs on libuv's thread pool, so a 2 MB value does not block concurrent invocations.
async function compress(json: Uint8Array): Promise<Buffer> {
  const { brotliCompress, constants } = await loadZlib();
  const options: BrotliOptions = {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 4,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: json.byteLength,
    },
  };
  return new Promise((resolve, reject) => {
    brotliCompress(json, options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

async function decompress(body: Uint8Array): Promise<Buffer> {
  const { brotliDecompress } = await loadZlib();
  return new Promise((resolve, reject) => {
    brotliDecompress(body, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

// Loading node:zlib costs ~2 ms (measured on Node 24), and values under the threshold — most of
// them — never need it: it is loaded with the first value that does, not at cold start.
let zlib: Promise<typeof import('node:zlib')> | undefined;

function loadZlib(): Promise<typeof import('node:zlib')> {
  zlib ??= import('node:zlib');
  return zlib;
}

/** The encoded value: compressed when that makes it smaller and it is worth it. */
export async function encodeValue(json: Uint8Array): Promise<{ encoding: ValueEncoding; body: Uint8Array }> {
  if (json.byteLength < COMPRESSION_THRESHOLD_BYTES) return { encoding: 'json', body: json };
  const compressed = await compress(json);
  if (compressed.byteLength >= json.byteLength) return { encoding: 'json', body: json };
  return { encoding: 'br+json', body: compressed };
}

const utf8 = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true });

/** The value stored as `body` with `encoding`, parsed from JSON. */
export async function decodeValue(encoding: string, body: Uint8Array): Promise<unknown> {
  let json: Uint8Array;
  if (encoding === 'json') json = body;
  else if (encoding === 'br+json') json = await decompress(body);
  else throw new CorruptCacheEntryError(`unknown value encoding '${encoding}'`);
  return JSON.parse(utf8.decode(json));
}
