import type { CacheOptions } from './types';

/** Separator between namespace and hashed key when `namespaceSeparator` is unset or empty. */
export const DEFAULT_NAMESPACE_SEPARATOR = '$';

/**
 * Upstream's default key hash: a 32-bit djb2 variant that XORs each UTF-16 code unit into
 * `hash * 33`, printed as unpadded lower-case hex (`'key'` → `'b876d32'`, `''` → `'1505'`).
 * The output is part of the stored format, so it must match upstream bit for bit.
 */
export function defaultKeyHashFunction(key: string): string {
  let hash = 5381;
  for (let i = 0; i < key.length; i++) {
    // `^` truncates to int32 on every step, exactly as upstream's arithmetic does.
    hash = (hash * 33) ^ key.charCodeAt(i);
  }
  return (hash >>> 0).toString(16);
}

/**
 * Builds the function that turns a user key into a storage key: the hash, prefixed with
 * `namespace` + separator when a (non-empty) namespace is given. Tags are never transformed.
 */
export function createKeyTransformer(options?: CacheOptions): (key: string) => string {
  const hash = options?.keyHashFunction || defaultKeyHashFunction;
  const namespace = options?.namespace;
  if (!namespace) return hash;
  const separator = options.namespaceSeparator || DEFAULT_NAMESPACE_SEPARATOR;
  return (key) => `${namespace}${separator}${hash(key)}`;
}
