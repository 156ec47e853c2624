import { toCloudFrontTag } from '../../../runtime/cdn/cloudfront-tag';
import { ResponseCacheTags } from '../../../runtime/cdn/response-tags';
import { CACHE_TAG_HEADER_MAX_BYTES, mergeCacheTags } from '../../../runtime/cdn/tag-header';
import { tagsToAdd, tagsToPurge } from '../../../runtime/cdn/vercel-tags';
import {
  CacheTagsAlreadySentError,
  InvalidCacheTagError,
  TooManyCacheTagsError,
} from '../../../runtime/errors';

describe('tagsToAdd', () => {
  test('returns trimmed tags when given a tag or an array of tags', () => {
    expect(tagsToAdd('product-1')).toEqual(['product-1']);
    expect(tagsToAdd([' a ', 'b'])).toEqual(['a', 'b']);
  });

  test('accepts a tag of exactly 256 bytes of UTF-8', () => {
    expect(tagsToAdd('é'.repeat(128))).toEqual(['é'.repeat(128)]);
  });

  test("splits on commas when given comma-separated tags, as in Vercel's product-<id>,products example", () => {
    expect(tagsToAdd('product-42,products')).toEqual(['product-42', 'products']);
    expect(tagsToAdd(['a, b,,', ' c ,d'])).toEqual(['a', 'b', 'c', 'd']);
  });

  test('throws InvalidCacheTagError naming the piece when one comma-separated tag is too long', () => {
    expect(() => tagsToAdd(`ok,${'x'.repeat(257)}`)).toThrow(InvalidCacheTagError);
    expect(() => tagsToAdd(`ok,${'x'.repeat(257)}`)).toThrow('is 257 bytes of UTF-8; the maximum is 256');
    expect(tagsToAdd(`${'x'.repeat(256)},${'y'.repeat(256)}`)).toHaveLength(2);
  });

  test.each([
    ['only commas', ' , ', 'addCacheTag(): a cache tag must not be empty, got " , "'],
    ['257 bytes of UTF-8', `${'é'.repeat(128)}x`, 'is 257 bytes of UTF-8; the maximum is 256'],
    ['an empty tag', '', 'addCacheTag(): a cache tag must not be empty, got ""'],
    ['only spaces', '   ', 'a cache tag must not be empty, got "   "'],
    ['a lone surrogate', 'a\ud800', 'is not well-formed Unicode'],
  ])('throws InvalidCacheTagError naming the problem when given %s', (_, tag, message) => {
    expect(() => tagsToAdd(tag)).toThrow(InvalidCacheTagError);
    expect(() => tagsToAdd(tag)).toThrow(message);
  });

  test('throws InvalidCacheTagError when given something that is neither a tag nor an array', () => {
    expect(() => tagsToAdd(42 as unknown as string)).toThrow(
      'addCacheTag(): expects a cache tag or an array of cache tags, got number',
    );
    expect(() => tagsToAdd(['a', null] as unknown as string[])).toThrow(
      'addCacheTag(): a cache tag must be a string, got object',
    );
  });
});

describe('tagsToPurge', () => {
  test('splits on commas and trims when given comma-separated tags, as Vercel purge requests do', () => {
    expect(tagsToPurge('a, b,,c', 'invalidateByTag')).toEqual(['a', 'b', 'c']);
    expect(tagsToPurge(['x', 'y,z'], 'invalidateByTag')).toEqual(['x', 'y', 'z']);
  });

  test('throws InvalidCacheTagError naming the call when given no tag', () => {
    expect(() => tagsToPurge([], 'invalidateByTag')).toThrow('invalidateByTag(): no cache tag given, got []');
    expect(() => tagsToPurge(' , ', 'dangerouslyDeleteByTag')).toThrow(
      'dangerouslyDeleteByTag(): no cache tag given',
    );
    expect(() => tagsToPurge([1] as unknown as string[], 'invalidateByTag')).toThrow(InvalidCacheTagError);
  });
});

describe('ResponseCacheTags', () => {
  test('collects distinct tags in the order they were first added', async () => {
    const tags = new ResponseCacheTags();
    await tags.add('b');
    await tags.add(['a', 'b', 'c']);
    expect(tags.take()).toEqual(['b', 'a', 'c']);
  });

  test('rejects without adding anything when one tag of the call is invalid', async () => {
    const tags = new ResponseCacheTags();
    await expect(tags.add(['ok', `fine,${'x'.repeat(257)}`])).rejects.toBeInstanceOf(InvalidCacheTagError);
    expect(tags.take()).toEqual([]);
  });

  test('counts each comma-separated tag against the 128 per response', async () => {
    const tags = new ResponseCacheTags();
    await tags.add(Array.from({ length: 127 }, (_, i) => `t${i}`).join(','));
    await expect(tags.add('one-more,and-another')).rejects.toBeInstanceOf(TooManyCacheTagsError);
    await tags.add('t0,last');
    expect(tags.take()).toHaveLength(128);
  });

  test('returns a rejected promise instead of throwing when the input is bad', () => {
    const tags = new ResponseCacheTags();
    let result: Promise<void> | undefined;
    expect(() => {
      result = tags.add(' , ');
    }).not.toThrow();
    return expect(result).rejects.toThrow('a cache tag must not be empty');
  });

  test('rejects with TooManyCacheTagsError when the response would carry more than 128 tags', async () => {
    const tags = new ResponseCacheTags();
    await tags.add(Array.from({ length: 128 }, (_, i) => `t${i}`));
    await tags.add('t0');
    const failure = tags.add(['t0', 'one-more']);
    await expect(failure).rejects.toBeInstanceOf(TooManyCacheTagsError);
    await expect(failure).rejects.toThrow('the response would carry 129 cache tags; the maximum is 128');
    expect(tags.take()).toHaveLength(128);
  });

  test('rejects with CacheTagsAlreadySentError when called after the headers were taken', async () => {
    const tags = new ResponseCacheTags();
    tags.take();
    await expect(tags.add('late')).rejects.toBeInstanceOf(CacheTagsAlreadySentError);
  });
});

describe('mergeCacheTags', () => {
  test('writes canonical tags, addCacheTag() first, then the handler header, de-duplicated', () => {
    const headers: Record<string, string> = { 'vercel-cache-tag': 'Header-One, product:1 ,café' };
    const merged = mergeCacheTags(headers, ['Product:1', 'added']);
    expect(headers['vercel-cache-tag']).toBe('product:1,added,header-one,caf%c3%a9');
    expect(merged).toEqual({ inHeader: ['product:1', 'added', 'header-one', 'caf%c3%a9'], overflow: [] });
  });

  test('removes the header when there are no tags', () => {
    const headers: Record<string, string> = { 'vercel-cache-tag': ' , ' };
    expect(mergeCacheTags(headers, [])).toEqual({ inHeader: [], overflow: [] });
    expect(headers).not.toHaveProperty('vercel-cache-tag');
  });

  test('puts tags beyond the 50th into the overflow when a response has more', () => {
    const headers: Record<string, string> = {};
    const tags = Array.from({ length: 60 }, (_, i) => `tag-${i}`);
    const merged = mergeCacheTags(headers, tags);
    expect(merged.inHeader).toEqual(tags.slice(0, 50));
    expect(merged.overflow).toEqual(tags.slice(50));
    expect(headers['vercel-cache-tag'].split(',')).toHaveLength(50);
  });

  test('keeps the header within its byte budget when the tags are long', () => {
    const headers: Record<string, string> = {};
    const tags = Array.from({ length: 50 }, (_, i) => `${i}-${'x'.repeat(250)}`);
    const merged = mergeCacheTags(headers, tags);
    expect(Buffer.byteLength(headers['vercel-cache-tag'])).toBeLessThanOrEqual(CACHE_TAG_HEADER_MAX_BYTES);
    expect(merged.inHeader.length + merged.overflow.length).toBe(50);
    expect(merged.overflow.length).toBeGreaterThan(0);
    expect(merged.overflow).toEqual(tags.slice(merged.inHeader.length).map(toCloudFrontTag));
  });
});
