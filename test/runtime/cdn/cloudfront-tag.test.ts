import fc from 'fast-check';
import {
  CLOUDFRONT_TAG_MAX_LENGTH,
  isCloudFrontTag,
  toCloudFrontTag,
  toSrcImageCloudFrontTag,
} from '../../../runtime/cdn/cloudfront-tag';
import { InvalidCacheTagError, InvalidSrcImageError } from '../../../runtime/errors';

// CloudFront's tag rules: visible ASCII 33–126, no comma, no `*` (no wildcards), 1–256 characters,
// compared case-insensitively.
const VALID_CLOUDFRONT_TAG = /^[!-+\--~]{1,256}$/;

// Any UTF-16 code unit (lone surrogates included), weighted towards the characters the encoding
// treats specially, so both plain and escaped output are well covered.
const codeUnit = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 2 },
  {
    arbitrary: fc.constantFrom('A', 'z', 'Q', '%', '*', ',', ' ', '#', '~', '!', ':', 'é', 'É', '\ud800'),
    weight: 3,
  },
  { arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }), weight: 4 },
);
const anyTag = fc.string({ unit: codeUnit, minLength: 1, maxLength: 300 });
const longTag = fc.string({ unit: codeUnit, minLength: 100, maxLength: 400 });

/** Lower-cases ASCII letters only — the one difference CloudFront's case-insensitivity erases. */
function foldAsciiCase(value: string): string {
  return value.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

/** A copy of `value` with the case of some ASCII letters flipped. */
const withFlippedCase = (value: string) =>
  fc
    .array(fc.boolean(), { minLength: value.length, maxLength: value.length })
    .map((flips) =>
      [...value]
        .map((char, i) =>
          flips[i] && /[a-z]/i.test(char)
            ? char === char.toLowerCase()
              ? char.toUpperCase()
              : char.toLowerCase()
            : char,
        )
        .join(''),
    );

describe('toCloudFrontTag', () => {
  test('returns a tag CloudFront accepts when given any non-empty string', () => {
    fc.assert(
      fc.property(anyTag, (tag) => {
        const canonical = toCloudFrontTag(tag);
        expect(canonical).toMatch(VALID_CLOUDFRONT_TAG);
        expect(isCloudFrontTag(canonical)).toBe(true);
        // Already in the case CloudFront compares in, so equality here is equality there.
        expect(canonical).toBe(canonical.toLowerCase());
      }),
      { numRuns: 2000 },
    );
  });

  test('maps two tags to one CloudFront tag only when they differ in ASCII letter case alone', () => {
    fc.assert(
      fc.property(anyTag, anyTag, (a, b) => {
        const sameOnCloudFront = toCloudFrontTag(a).toLowerCase() === toCloudFrontTag(b).toLowerCase();
        expect(sameOnCloudFront).toBe(foldAsciiCase(a) === foldAsciiCase(b));
      }),
      { numRuns: 2000 },
    );
  });

  test('maps tags that differ only in ASCII case to the same CloudFront tag', () => {
    fc.assert(
      fc.property(
        anyTag.chain((tag) => fc.tuple(fc.constant(tag), withFlippedCase(tag))),
        ([tag, flipped]) => {
          expect(toCloudFrontTag(flipped)).toBe(toCloudFrontTag(tag));
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('keeps tags apart when they differ in one character after case folding', () => {
    fc.assert(
      fc.property(anyTag, fc.nat(), codeUnit, (tag, position, replacement) => {
        const i = position % tag.length;
        const changed = tag.slice(0, i) + replacement + tag.slice(i + 1);
        fc.pre(foldAsciiCase(changed) !== foldAsciiCase(tag));
        expect(toCloudFrontTag(changed)).not.toBe(toCloudFrontTag(tag));
      }),
      { numRuns: 2000 },
    );
  });

  test('keeps long tags apart when they differ only after the readable prefix', () => {
    fc.assert(
      fc.property(longTag, codeUnit, codeUnit, (tag, x, y) => {
        fc.pre(foldAsciiCase(x) !== foldAsciiCase(y));
        const a = toCloudFrontTag(`${tag}${'-'.repeat(300)}${x}`);
        const b = toCloudFrontTag(`${tag}${'-'.repeat(300)}${y}`);
        expect(a).not.toBe(b);
        expect(a.length).toBeLessThanOrEqual(CLOUDFRONT_TAG_MAX_LENGTH);
        expect(a).toMatch(/%~[0-9a-f]{64}$/);
      }),
      { numRuns: 500 },
    );
  });

  test('marks a hash only in over-long results, never in the encoding of a short tag', () => {
    fc.assert(
      fc.property(anyTag, (tag) => {
        const canonical = toCloudFrontTag(tag);
        const hashed = /%~[0-9a-f]{64}$/.test(canonical);
        // `%` from the byte encoding is always followed by two hex digits or `u`.
        const body = hashed ? canonical.slice(0, -66) : canonical;
        expect(body).not.toMatch(/%(?![0-9a-f]{2}|u[0-9a-f]{4})/);
        expect(canonical.startsWith('%!')).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  test.each([
    ['Product:42', 'product:42'],
    ['blog/posts', 'blog/posts'],
    ['café au lait', 'caf%c3%a9%20au%20lait'],
    ['Café', 'caf%c3%a9'],
    ['CAFÉ', 'caf%c3%89'],
    ['100%', '100%25'],
    ['a*b', 'a%2ab'],
    ['a,b', 'a%2cb'],
    ['emoji 🐱', 'emoji%20%f0%9f%90%b1'],
    ['\ud800', '%ud800'],
    ['\ufffd', '%ef%bf%bd'],
  ])('maps %j to %j', (tag, expected) => {
    expect(toCloudFrontTag(tag)).toBe(expected);
  });

  test('keeps a readable prefix and appends a SHA-256 when the encoded tag is over 256 characters', () => {
    const tag = `products/${'é'.repeat(100)}`;
    const canonical = toCloudFrontTag(tag);
    expect(canonical.startsWith('products/%c3%a9%c3%a9')).toBe(true);
    expect(canonical).toMatch(/^[^~]+%~[0-9a-f]{64}$/);
    expect(canonical.length).toBeLessThanOrEqual(256);
    // No escape is cut in half before the marker.
    expect(canonical.slice(0, canonical.indexOf('%~'))).toMatch(/(%[0-9a-f]{2}|[^%])$/);
  });

  test('throws InvalidCacheTagError when given an empty string or a non-string', () => {
    expect(() => toCloudFrontTag('')).toThrow(InvalidCacheTagError);
    expect(() => toCloudFrontTag('')).toThrow('A cache tag must be a non-empty string, got ""');
    expect(() => toCloudFrontTag(42 as unknown as string)).toThrow('got number');
  });
});

describe('toSrcImageCloudFrontTag', () => {
  test('returns a valid CloudFront tag no user tag can equal when given any source path', () => {
    fc.assert(
      fc.property(anyTag, fc.string({ unit: codeUnit, maxLength: 300 }), (userTag, path) => {
        const imageTag = toSrcImageCloudFrontTag(`/${path.replace(/^\/+/, '')}`);
        expect(imageTag).toMatch(VALID_CLOUDFRONT_TAG);
        expect(imageTag.startsWith('%!')).toBe(true);
        expect(imageTag).not.toBe(toCloudFrontTag(userTag));
      }),
      { numRuns: 1000 },
    );
  });

  test('maps equivalent spellings of one source to one tag', () => {
    expect(toSrcImageCloudFrontTag('/images/a b.png')).toBe(toSrcImageCloudFrontTag('/images/a%20b.png'));
    expect(toSrcImageCloudFrontTag('https://CDN.Example.com/a.png')).toBe(
      toSrcImageCloudFrontTag('https://cdn.example.com/a.png'),
    );
    expect(toSrcImageCloudFrontTag(' /images/a.png ')).toBe(toSrcImageCloudFrontTag('/images/a.png'));
    expect(toSrcImageCloudFrontTag('/images/a.png')).toBe('%!/images/a.png');
  });

  test('keeps different sources apart', () => {
    expect(toSrcImageCloudFrontTag('/images/a.png')).not.toBe(toSrcImageCloudFrontTag('/images/b.png'));
    expect(toSrcImageCloudFrontTag('/a.png?v=1')).not.toBe(toSrcImageCloudFrontTag('/a.png?v=2'));
  });

  test.each([
    ['an empty string', ''],
    ['a relative path', 'images/a.png'],
    ['a protocol-relative URL', '//cdn.example.com/a.png'],
    ['a non-http URL', 'ftp://example.com/a.png'],
  ])('throws InvalidSrcImageError when given %s', (_, src) => {
    expect(() => toSrcImageCloudFrontTag(src)).toThrow(InvalidSrcImageError);
  });
});
