import { createKeyTransformer, defaultKeyHashFunction } from '../../../runtime/cache/hash';

describe('defaultKeyHashFunction', () => {
  test.each([
    ['key', 'b876d32'],
    ['my-key', '57f938ab'],
    ['', '1505'],
  ])('hashes %j to %j like upstream', (key, hash) => {
    expect(defaultKeyHashFunction(key)).toBe(hash);
  });

  test('returns unpadded lower-case hex when given long and non-ASCII keys', () => {
    for (const key of ['x'.repeat(10_000), 'São Paulo ▲ 🇧🇷', '__proto__']) {
      expect(defaultKeyHashFunction(key)).toMatch(/^[0-9a-f]{1,8}$/);
    }
  });
});

describe('createKeyTransformer', () => {
  test('returns the bare hash when no namespace is given', () => {
    expect(createKeyTransformer()('key')).toBe('b876d32');
    expect(createKeyTransformer({ namespace: '' })('key')).toBe('b876d32');
  });

  test('prefixes namespace and the default separator when given a namespace', () => {
    expect(createKeyTransformer({ namespace: 'test' })('key')).toBe('test$b876d32');
  });

  test('uses the given separator, falling back to $ when it is empty', () => {
    expect(createKeyTransformer({ namespace: 'test', namespaceSeparator: ':' })('key')).toBe('test:b876d32');
    expect(createKeyTransformer({ namespace: 'test', namespaceSeparator: '' })('key')).toBe('test$b876d32');
  });

  test('uses a custom hash function when given one', () => {
    const transform = createKeyTransformer({ keyHashFunction: (key) => `h(${key})`, namespace: 'ns' });
    expect(transform('key')).toBe('ns$h(key)');
  });
});
