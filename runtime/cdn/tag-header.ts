import { CACHE_TAG_HEADER } from '../constructs-contract';
import { CLOUDFRONT_MAX_TAGS_PER_OBJECT, toCloudFrontTag } from './cloudfront-tag';
import { splitTagList } from './vercel-tags';

/**
 * Most bytes the cache-tag header may take. CloudFront rejects an origin response whose status
 * line and headers exceed 20,480 bytes (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html);
 * 50 tags of 256 characters would use 12.8 KB of that, so the header stops at 8 KiB and the
 * remaining tags are handled like tags beyond the 50th.
 */
export const CACHE_TAG_HEADER_MAX_BYTES = 8192;

const HEADER = CACHE_TAG_HEADER.toLowerCase();

/** Where the tags of one response went. */
export interface MergedCacheTags {
  /** Canonical CloudFront tags written into the cache-tag header (at most 50). */
  readonly inHeader: readonly string[];
  /**
   * Canonical CloudFront tags that did not fit: CloudFront will not know them, so the response's
   * path must be recorded under each of them in the tag table.
   */
  readonly overflow: readonly string[];
}

const NO_TAGS: MergedCacheTags = { inHeader: [], overflow: [] };

/**
 * Merges the tags from `addCacheTag()` with those of a handler-set `Vercel-Cache-Tag` header into
 * the one header CloudFront reads, rewriting `headers` (lower-case names) in place: canonical
 * CloudFront tags ({@link toCloudFrontTag}), de-duplicated, comma-separated, `addCacheTag()` tags
 * first. Whatever exceeds 50 tags or {@link CACHE_TAG_HEADER_MAX_BYTES} is returned as overflow.
 * The header is removed when there is no tag.
 */
export function mergeCacheTags(headers: Record<string, string>, added: readonly string[]): MergedCacheTags {
  // Most responses carry no tag at all: nothing to allocate for them.
  if (added.length === 0 && headers[HEADER] === undefined) return NO_TAGS;
  const fromHeader = headers[HEADER] === undefined ? [] : splitTagList(headers[HEADER]);
  const canonical = new Set<string>();
  for (const tag of [...added, ...fromHeader]) canonical.add(toCloudFrontTag(tag));

  const inHeader: string[] = [];
  const overflow: string[] = [];
  let bytes = 0;
  for (const tag of canonical) {
    const cost = tag.length + (inHeader.length > 0 ? 1 : 0);
    if (inHeader.length < CLOUDFRONT_MAX_TAGS_PER_OBJECT && bytes + cost <= CACHE_TAG_HEADER_MAX_BYTES) {
      inHeader.push(tag);
      bytes += cost;
    } else {
      overflow.push(tag);
    }
  }
  if (inHeader.length > 0) headers[HEADER] = inHeader.join(',');
  else delete headers[HEADER];
  return { inHeader, overflow };
}
