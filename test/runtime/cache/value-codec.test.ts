import { randomBytes } from 'node:crypto';
import { COMPRESSION_THRESHOLD_BYTES, decodeValue, encodeValue } from '../../../runtime/cache/value-codec';
import { CorruptCacheEntryError } from '../../../runtime/errors';

const utf8 = new TextEncoder();

describe('encodeValue', () => {
  test('stores JSON as it is when it is below the threshold', async () => {
    const json = utf8.encode(JSON.stringify('x'.repeat(COMPRESSION_THRESHOLD_BYTES - 10)));
    const { encoding, body } = await encodeValue(json);
    expect(encoding).toBe('json');
    expect(body).toBe(json);
  });

  test('compresses with Brotli when given large compressible JSON', async () => {
    const value = Array.from({ length: 500 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b'] }));
    const json = utf8.encode(JSON.stringify(value));
    const { encoding, body } = await encodeValue(json);
    expect(encoding).toBe('br+json');
    expect(body.byteLength).toBeLessThan(json.byteLength / 5);
    expect(await decodeValue(encoding, body)).toEqual(value);
  });

  test('keeps the bytes as they are when compression would not make them smaller', async () => {
    // Real JSON always shrinks; random bytes do not, which exercises the same branch.
    const bytes = randomBytes(64 * 1024);
    const { encoding, body } = await encodeValue(bytes);
    expect(encoding).toBe('json');
    expect(body).toBe(bytes);
  });
});

describe('decodeValue', () => {
  test('throws CorruptCacheEntryError when given an unknown encoding', async () => {
    await expect(decodeValue('zstd+json', utf8.encode('1'))).rejects.toThrow(CorruptCacheEntryError);
    await expect(decodeValue('zstd+json', utf8.encode('1'))).rejects.toThrow(
      "unknown value encoding 'zstd+json'",
    );
  });

  test('rejects when given bytes that are not Brotli', async () => {
    await expect(decodeValue('br+json', utf8.encode('{"not":"compressed"}'))).rejects.toThrow();
  });
});
