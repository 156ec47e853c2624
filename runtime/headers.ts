/**
 * Request-header helpers: `geolocation()`, `ipAddress()` and the header names they read.
 *
 * On Vercel the proxy sets these headers. On AWS the adapter derives them from the
 * `CloudFront-Viewer-*` headers and writes `x-vercel-id` as `<region>::<request id>` before the
 * handler runs, so the same helpers work unchanged.
 */

/** City of the original client IP (URI-encoded when it has multi-byte characters). */
export const CITY_HEADER_NAME = 'x-vercel-ip-city';
/** Country (ISO 3166-1 alpha-2) of the original client IP. */
export const COUNTRY_HEADER_NAME = 'x-vercel-ip-country';
/** The client IP. */
export const IP_HEADER_NAME = 'x-real-ip';
/** Latitude of the original client IP. */
export const LATITUDE_HEADER_NAME = 'x-vercel-ip-latitude';
/** Longitude of the original client IP. */
export const LONGITUDE_HEADER_NAME = 'x-vercel-ip-longitude';
/** Country region (the subdivision part of ISO 3166-2) of the original client IP. */
export const REGION_HEADER_NAME = 'x-vercel-ip-country-region';
/** Postal code of the original client IP. */
export const POSTAL_CODE_HEADER_NAME = 'x-vercel-ip-postal-code';
/** The request id, `<region>::<id>` (or `<edge>:<function region>::<id>`). */
export const REQUEST_ID_HEADER_NAME = 'x-vercel-id';
/** Offset from an ASCII capital letter to its Unicode regional-indicator symbol (🇦 is 127462). */
export const EMOJI_FLAG_UNICODE_STARTING_POSITION = 127397;

/** The headers of a request: anything with a `get(name)`. */
export interface Headers {
  get(name: string): string | null;
}

/**
 * A request, reduced to what these helpers read, so the global `Request`, `node-fetch` and
 * similar types all fit.
 */
export interface Request {
  /** The request headers. */
  headers: Headers;
}

/** Where a request came from. Every key is present on the returned object; values may be undefined. */
export interface Geo {
  /** The city, URI-decoded. */
  city?: string;
  /** The country code, e.g. `US`. */
  country?: string;
  /** The country's flag emoji, e.g. 🇺🇸. */
  flag?: string;
  /** The region code that served the request, e.g. `iad1`; `dev1` when unknown. */
  region?: string;
  /** The subdivision part of the ISO 3166-2 code, e.g. `NY`. */
  countryRegion?: string;
  /** The latitude. */
  latitude?: string;
  /** The longitude. */
  longitude?: string;
  /** The postal code. */
  postalCode?: string;
}

function getHeader(headers: Headers, name: string): string | undefined {
  return headers.get(name) ?? undefined;
}

/**
 * Vercel URI-encodes city names with multi-byte characters (`S%C3%A3o%20Paulo`). Deliberate
 * difference from upstream: a malformed escape (`%E0%A4%A`) makes upstream throw `URIError` and
 * fail the request; here the raw header value is returned instead.
 */
function decodeCity(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function getFlag(countryCode: string | undefined): string | undefined {
  if (!countryCode || !/^[A-Z]{2}$/.test(countryCode)) return undefined;
  return String.fromCodePoint(
    ...[...countryCode].map((char) => EMOJI_FLAG_UNICODE_STARTING_POSITION + char.charCodeAt(0)),
  );
}

function getRegionFromRequestId(requestId: string | undefined): string {
  if (!requestId) return 'dev1';
  // `hnd1:iad1::id` names the edge region first; like upstream, report that one.
  return requestId.split(':')[0];
}

/**
 * Returns the client IP address from the `x-real-ip` header (set from CloudFront's
 * `CloudFront-Viewer-Address` on AWS). No `x-forwarded-for` fallback, as upstream.
 *
 * @param input The incoming request, or its headers.
 * @returns The IP address, or `undefined` when the header is absent.
 * @example
 * ```ts
 * import { ipAddress } from '@vercel/functions';
 *
 * export default {
 *   fetch(request: Request) {
 *     return new Response(`Your IP is ${ipAddress(request)}`);
 *   },
 * };
 * ```
 */
export function ipAddress(input: Request | Headers): string | undefined {
  const headers = 'headers' in input ? input.headers : input;
  return getHeader(headers, IP_HEADER_NAME);
}

/**
 * Returns the location of the client that sent `request`.
 *
 * Outside CloudFront (local dev, tests) the geo headers are absent: every field is `undefined`
 * except `region`, which is `'dev1'`.
 *
 * Difference from upstream: a malformed percent-encoded city header (e.g. `%E0%A4%A`) makes
 * upstream throw `URIError` and fail the request; this implementation returns the raw header
 * value, undecoded.
 *
 * @param request The incoming request.
 * @returns All eight {@link Geo} keys, e.g.
 * `{ city: 'New York', country: 'US', flag: '🇺🇸', countryRegion: 'NY', region: 'iad1',
 *    latitude: '40.7128', longitude: '-74.0060', postalCode: '10001' }`.
 * @example
 * ```ts
 * import { geolocation } from '@vercel/functions';
 *
 * export default {
 *   fetch(request: Request) {
 *     return Response.json(geolocation(request));
 *   },
 * };
 * ```
 */
export function geolocation(request: Request): Geo {
  const { headers } = request;
  const country = getHeader(headers, COUNTRY_HEADER_NAME);
  return {
    city: decodeCity(getHeader(headers, CITY_HEADER_NAME)),
    country,
    flag: getFlag(country),
    countryRegion: getHeader(headers, REGION_HEADER_NAME),
    region: getRegionFromRequestId(getHeader(headers, REQUEST_ID_HEADER_NAME)),
    latitude: getHeader(headers, LATITUDE_HEADER_NAME),
    longitude: getHeader(headers, LONGITUDE_HEADER_NAME),
    postalCode: getHeader(headers, POSTAL_CODE_HEADER_NAME),
  };
}
