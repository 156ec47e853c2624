import { DevServerError } from './dev-server-errors';

/**
 * Viewer location used when a request carries no `CloudFront-Viewer-*` location header of its own, as
 * CloudFront would derive it from the viewer's IP. Values are sent the way CloudFront sends them
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/adding-cloudfront-headers.html);
 * non-ASCII text is percent-encoded for you (`München` → `M%C3%BCnchen`).
 */
export interface ViewerDefaults {
  /** `CloudFront-Viewer-Country`: ISO 3166-1 alpha-2 code, e.g. `DE`. @default - none */
  readonly country?: string;
  /** `CloudFront-Viewer-Country-Region`: ISO 3166-2 subdivision code, e.g. `BY`. @default - none */
  readonly countryRegion?: string;
  /** `CloudFront-Viewer-City`, e.g. `München` or `M%C3%BCnchen`. @default - none */
  readonly city?: string;
  /** `CloudFront-Viewer-Latitude`, e.g. `48.13743`. @default - none */
  readonly latitude?: string;
  /** `CloudFront-Viewer-Longitude`, e.g. `11.57549`. @default - none */
  readonly longitude?: string;
  /** `CloudFront-Viewer-Postal-Code`, e.g. `80331`. @default - none */
  readonly postalCode?: string;
  /** `CloudFront-Viewer-Time-Zone`: IANA name, e.g. `Europe/Berlin`. @default - none */
  readonly timeZone?: string;
}

const VIEWER_HEADERS: ReadonlyArray<readonly [keyof ViewerDefaults, string]> = [
  ['country', 'CloudFront-Viewer-Country'],
  ['countryRegion', 'CloudFront-Viewer-Country-Region'],
  ['city', 'CloudFront-Viewer-City'],
  ['latitude', 'CloudFront-Viewer-Latitude'],
  ['longitude', 'CloudFront-Viewer-Longitude'],
  ['postalCode', 'CloudFront-Viewer-Postal-Code'],
  ['timeZone', 'CloudFront-Viewer-Time-Zone'],
];

// The formats CloudFront documents; the adapter drops values that do not fit, so a wrong default
// would silently vanish — reject it at start instead.
const VIEWER_FORMATS: Partial<Record<keyof ViewerDefaults, readonly [(value: string) => boolean, string]>> = {
  country: [(v) => /^[A-Za-z]{2}$/.test(v), 'an ISO 3166-1 alpha-2 code such as DE'],
  countryRegion: [(v) => /^[A-Za-z0-9]{1,3}$/.test(v), 'an ISO 3166-2 subdivision code such as BY'],
  latitude: [(v) => isCoordinate(v, 90), 'a number from -90 to 90'],
  longitude: [(v) => isCoordinate(v, 180), 'a number from -180 to 180'],
};

/**
 * The `CloudFront-Viewer-*` headers for a default location, as CloudFront sends them.
 *
 * @throws DevServerError when a value is not in the format CloudFront uses
 */
export function viewerLocationHeaders(viewer: ViewerDefaults): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, header] of VIEWER_HEADERS) {
    const value = viewer[key]?.trim();
    if (!value) continue;
    const format = VIEWER_FORMATS[key];
    if (format !== undefined && !format[0](value)) {
      throw new DevServerError(`viewer.${key} must be ${format[1]}, got '${value}'`);
    }
    headers[header] = percentEncodeNonAscii(value);
  }
  return headers;
}

function isCoordinate(value: string, limit: number): boolean {
  return /^-?\d+(\.\d+)?$/.test(value) && Math.abs(Number(value)) <= limit;
}

/** CloudFront percent-encodes non-ASCII header values per RFC 3986; ASCII (and existing escapes) stay. */
export function percentEncodeNonAscii(value: string): string {
  return value.replace(/[^\x20-\x7e]+/gu, (text) => encodeURIComponent(text));
}
