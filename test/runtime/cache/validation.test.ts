import {
  fitsValueLimit,
  MAX_KEY_BYTES,
  MAX_VALUE_BYTES,
  nonStringKeyError,
  serializeValue,
  truncateUtf8,
  validateCacheKey,
  validateExpireTags,
  validateSetOptions,
} from '../../../runtime/cache/validation';
import {
  InvalidCacheInputError,
  InvalidCacheKeyError,
  InvalidCacheTagError,
  InvalidCacheTtlError,
  TooManyCacheTagsError,
  UnserializableCacheValueError,
  VercelFunctionsAwsError,
} from '../../../runtime/errors';

describe('validateSetOptions', () => {
  test('normalizes when given upstream-style options', () => {
    expect(validateSetOptions(undefined)).toEqual({ tags: [] });
    expect(validateSetOptions({ ttl: 0, tags: ['a', 'b', 'a'], name: '' })).toEqual({
      tags: ['a', 'b'],
      ttl: undefined,
      name: undefined,
    });
    expect(validateSetOptions({ ttl: 1.5, name: 'n', tags: null })).toEqual({
      tags: [],
      ttl: 1.5,
      name: 'n',
    });
  });

  test('accepts a ttl given as a decimal string, as upstream sends String(ttl), and normalizes it to a number', () => {
    expect(validateSetOptions({ ttl: '60' }).ttl).toBe(60);
    expect(validateSetOptions({ ttl: '1.5' }).ttl).toBe(1.5);
    expect(validateSetOptions({ ttl: '0' }).ttl).toBeUndefined();
  });

  test('accepts 128 distinct tags of 256 bytes, duplicates not counted', () => {
    const tags = Array.from({ length: 128 }, (_, i) => String(i).padEnd(256, 'x'));
    expect(validateSetOptions({ tags: [...tags, tags[0]] }).tags).toHaveLength(128);
  });

  test.each([
    [
      '129 tags',
      { tags: Array.from({ length: 129 }, (_, i) => `t${i}`) },
      TooManyCacheTagsError,
      'at most 128 tags, got 129',
    ],
    [
      'a tag over 256 bytes',
      { tags: ['€'.repeat(86)] },
      InvalidCacheTagError,
      'is 258 bytes (UTF-8); the limit is 256 bytes',
    ],
    ['a comma', { tags: ['a,b'] }, InvalidCacheTagError, 'cache tag "a,b" contains a comma'],
    ['an empty tag', { tags: [''] }, InvalidCacheTagError, 'must not be empty'],
    ['a lone surrogate', { tags: ['a\uD800'] }, InvalidCacheTagError, 'not well-formed Unicode'],
    ['a number tag', { tags: [1] }, InvalidCacheTagError, 'cache tags must be strings, got 1'],
    ['tags as a string', { tags: 'a' }, InvalidCacheTagError, 'must be an array of strings, got "a"'],
    ['NaN', { ttl: Number.NaN }, InvalidCacheTtlError, 'got NaN'],
    ['Infinity', { ttl: Number.POSITIVE_INFINITY }, InvalidCacheTtlError, 'got Infinity'],
    [
      'a negative ttl',
      { ttl: -5 },
      InvalidCacheTtlError,
      'finite number of seconds >= 0 (0 means no expiry), or a decimal string of one, got -5',
    ],
    ['a ttl string that is no number', { ttl: 'abc' }, InvalidCacheTtlError, 'got "abc"'],
    ['an empty ttl string', { ttl: '' }, InvalidCacheTtlError, 'got ""'],
    ['a negative ttl string', { ttl: '-1' }, InvalidCacheTtlError, 'got "-1"'],
    ['a ttl string with spaces', { ttl: ' 60' }, InvalidCacheTtlError, 'got " 60"'],
    ['a hexadecimal ttl string', { ttl: '0x10' }, InvalidCacheTtlError, 'got "0x10"'],
    ['a ttl string too large for a number', { ttl: '9'.repeat(400) }, InvalidCacheTtlError, 'got "999'],
    ['a boolean ttl', { ttl: true }, InvalidCacheTtlError, 'got true'],
    ['a number name', { name: 5 }, InvalidCacheInputError, 'name must be a string, got 5'],
    ['options that are not an object', 'fast', InvalidCacheInputError, 'options must be an object'],
  ])('throws naming the problem when given %s', (_label, options, type, message) => {
    expect(() => validateSetOptions(options)).toThrow(type);
    expect(() => validateSetOptions(options)).toThrow(message);
  });
});

describe('validateExpireTags', () => {
  test('returns the tags deduplicated when given a tag or an array', () => {
    expect(validateExpireTags('a')).toEqual(['a']);
    expect(validateExpireTags(['a', 'b', 'a'])).toEqual(['a', 'b']);
    expect(validateExpireTags([])).toEqual([]);
  });

  test('throws when given a tag with a comma', () => {
    expect(() => validateExpireTags(['a', 'b,c'])).toThrow(InvalidCacheTagError);
  });
});

describe('validateCacheKey', () => {
  test('accepts a key of exactly the limit', () => {
    expect(() => validateCacheKey('k'.repeat(MAX_KEY_BYTES))).not.toThrow();
  });

  test.each([
    ['an empty key', '', 'non-empty string, got ""'],
    ['a non-string key', 42, 'non-empty string, got 42'],
    ['a key over 2048 bytes', 'ü'.repeat(1025), 'is 2050 bytes after namespacing and hashing'],
    ['a key with a lone high surrogate', 'ns$\uD800x', 'is not well-formed Unicode (a lone surrogate)'],
    ['a key with a lone low surrogate', '\uDC00', 'is not well-formed Unicode (a lone surrogate)'],
  ])('throws when given %s', (_label, key, message) => {
    expect(() => validateCacheKey(key)).toThrow(InvalidCacheKeyError);
    expect(() => validateCacheKey(key)).toThrow(message);
  });
});

describe('nonStringKeyError', () => {
  test.each([
    [42, 'got number 42'],
    [BigInt(7), 'got bigint 7n'],
    [{ id: 1 }, 'got object {"id":1}'],
    [[1], 'got array [1]'],
    [null, 'got null'],
    [undefined, 'got undefined'],
    [Symbol('s'), 'got symbol'],
  ])('names the type received when given %p', (key, message) => {
    const error = nonStringKeyError(key);
    expect(error).toBeInstanceOf(InvalidCacheKeyError);
    expect(error.message).toBe(`cache key must be a string, ${message}`);
  });
});

describe('truncateUtf8', () => {
  test('returns the text unchanged when it fits', () => {
    expect(truncateUtf8('abc', 3)).toBe('abc');
    expect(truncateUtf8('é'.repeat(512), 1024)).toBe('é'.repeat(512));
  });

  test('cuts at a character boundary and marks the cut when given more bytes than the limit', () => {
    expect(truncateUtf8('abcdefgh', 6)).toBe('abc…');
    // 'é' is 2 bytes: 3 of them (6 bytes) would leave no room for the 3-byte ellipsis in 8.
    expect(truncateUtf8('éééééé', 8)).toBe('éé…');
    expect(truncateUtf8('😀😀😀', 10)).toBe('😀…');
    for (const text of ['x'.repeat(5000), '€'.repeat(5000), '😀'.repeat(5000)]) {
      expect(Buffer.byteLength(truncateUtf8(text, 1024))).toBeLessThanOrEqual(1024);
    }
  });
});

describe('serializeValue', () => {
  test('applies upstream JSON semantics when given edge values', () => {
    expect(serializeValue(undefined, 'k')).toBe('null');
    expect(serializeValue(() => 1, 'k')).toBe('null');
    expect(serializeValue(Symbol('s'), 'k')).toBe('null');
    expect(serializeValue({ a: undefined, b: [undefined] }, 'k')).toBe('{"b":[null]}');
  });

  test('throws a typed error keeping the cause when given a BigInt or a cycle', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const [value, reason] of [
      [{ n: 1n }, /BigInt/],
      [cycle, /circular/i],
    ] as const) {
      let thrown: unknown;
      try {
        serializeValue(value, 'my-key');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(UnserializableCacheValueError);
      expect((thrown as Error).message).toMatch(
        /^cannot cache the value of "my-key": JSON cannot represent it/,
      );
      expect((thrown as Error).message).toMatch(reason);
      expect((thrown as Error).cause).toBeInstanceOf(TypeError);
    }
  });
});

describe('fitsValueLimit', () => {
  afterEach(() => jest.restoreAllMocks());

  test('accepts up to 2 MB and warns naming the entry when given more', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    expect(fitsValueLimit(MAX_VALUE_BYTES, 'report')).toBe(true);
    expect(warn).not.toHaveBeenCalled();
    expect(fitsValueLimit(MAX_VALUE_BYTES + 1, 'report')).toBe(false);
    expect(warn).toHaveBeenCalledWith(
      "[vercel-functions-aws] Runtime Cache: 'report' was not cached: its JSON is 2097153 bytes, over the 2 MB (2097152 bytes) item limit",
    );
  });

  test('names the entry by at most 256 bytes of its label when given a long one', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    fitsValueLimit(MAX_VALUE_BYTES + 1, 'k'.repeat(100_000));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`'${'k'.repeat(253)}…' was not cached`));
    expect(String(warn.mock.calls[0][0]).length).toBeLessThan(400);
  });
});

describe('cache errors', () => {
  test.each([
    ['InvalidCacheInputError', new InvalidCacheInputError('m')],
    ['InvalidCacheTtlError', new InvalidCacheTtlError('m')],
    ['InvalidCacheKeyError', new InvalidCacheKeyError('m')],
    ['UnserializableCacheValueError', new UnserializableCacheValueError('m')],
  ])('%s sets its name and extends the base classes', (name, error) => {
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(InvalidCacheInputError);
    expect(error).toBeInstanceOf(VercelFunctionsAwsError);
  });
});
