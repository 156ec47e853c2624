import type { ImageOptimizerConfig, LocalPattern, RemotePattern } from './config';

/*
 * Which sources the optimizer may fetch, as Vercel and Next.js decide it: a remote URL must match
 * `domains` (host name, any protocol and port) or one of `remotePatterns`; a local path must match
 * one of `localPatterns` when any are configured. Nothing else is ever fetched — the optimizer is
 * not an open proxy.
 *
 * Globs, segment by segment (labels for host names, path segments for paths): `*` matches any
 * characters within one segment; `**` as a whole segment matches any number of segments — one or
 * more at the start of a host name (`**.example.com` is every subdomain, not the apex), zero or more
 * in a path (`/images/**`).
 */

/** Whether `url` (http or https) may be fetched as a remote source. */
export function isAllowedRemoteSource(
  url: URL,
  config: Pick<ImageOptimizerConfig, 'domains' | 'remotePatterns'>,
): boolean {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  // Credentials in a source URL would be sent upstream; no configuration can mean that.
  if (url.username !== '' || url.password !== '') return false;
  const hostname = url.hostname.toLowerCase();
  return (
    config.domains.includes(hostname) || config.remotePatterns.some((pattern) => matchesRemote(pattern, url))
  );
}

/** Whether the local path in `url` (its pathname and query) may be fetched. */
export function isAllowedLocalSource(url: URL, config: Pick<ImageOptimizerConfig, 'localPatterns'>): boolean {
  if (config.localPatterns === undefined) return true;
  return config.localPatterns.some((pattern) => matchesLocal(pattern, url));
}

/** Whether `url` matches one remote pattern. */
export function matchesRemote(pattern: RemotePattern, url: URL): boolean {
  if (pattern.protocol !== undefined && `${pattern.protocol}:` !== url.protocol) return false;
  if (pattern.port !== undefined && pattern.port !== url.port) return false;
  if (!matchesGlob(pattern.hostname.toLowerCase().split('.'), url.hostname.toLowerCase().split('.'), 1)) {
    return false;
  }
  return matchesLocal(pattern, url);
}

/** Whether `url`'s path and query match one local pattern (also the path part of a remote one). */
export function matchesLocal(pattern: LocalPattern, url: URL): boolean {
  if (pattern.search !== undefined && pattern.search !== url.search) return false;
  return matchesGlob((pattern.pathname ?? '/**').split('/'), url.pathname.split('/'), 0);
}

/**
 * Segment-wise glob match; a `**` segment takes at least `minDoubleStar` segments. Memoised on the
 * position pair, so patterns with several `**` stay linear in practice.
 */
function matchesGlob(pattern: readonly string[], value: readonly string[], minDoubleStar: number): boolean {
  const memo = new Map<number, boolean>();
  const match = (p: number, v: number): boolean => {
    const key = p * (value.length + 1) + v;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (p === pattern.length) {
      result = v === value.length;
    } else if (pattern[p] === '**') {
      result = false;
      for (let next = v + minDoubleStar; next <= value.length && !result; next++) result = match(p + 1, next);
    } else {
      result = v < value.length && segmentMatches(pattern[p], value[v]) && match(p + 1, v + 1);
    }
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}

function segmentMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 's').test(value);
}
