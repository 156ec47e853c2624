// node:net costs nothing at a Lambda cold start: the runtime interface client loads it (it reaches
// the Runtime API through it) before it loads the handler.
import { isIP, isIPv4, isIPv6 } from 'node:net';
import {
  CITY_HEADER_NAME,
  COUNTRY_HEADER_NAME,
  IP_HEADER_NAME,
  LATITUDE_HEADER_NAME,
  LONGITUDE_HEADER_NAME,
  POSTAL_CODE_HEADER_NAME,
  REGION_HEADER_NAME,
  REQUEST_ID_HEADER_NAME,
} from '../headers';
import { vercelRegionCode } from './regions';

/** What the adapter knows about the invocation besides the headers. */
export interface ViewerInfo {
  /** `requestContext.http.sourceIp`: the TCP peer Lambda saw (CloudFront, or the client without it). */
  readonly sourceIp?: string;
  /** The Lambda request id. */
  readonly requestId: string;
  /** The AWS region the function runs in (`AWS_REGION`). */
  readonly awsRegion?: string;
  /**
   * Whether the request's `CloudFront-Viewer-*` headers are CloudFront's ({@link viaCloudFront}).
   * When not, they are the caller's own: none is read, and the address comes from `sourceIp`.
   */
  readonly viaCloudFront: boolean;
}

export const FORWARDED_FOR_HEADER_NAME = 'x-forwarded-for';
const TIMEZONE_HEADER_NAME = 'x-vercel-ip-timezone';

type GeoHeader = readonly [vercel: string, cloudFront: string, valid: (value: string) => boolean];

// The prefix of the headers in which CloudFront describes the viewer (`CloudFront-Viewer-Country`),
// written once: every function bundle carries these names.
const VIEWER_HEADER_PREFIX = 'cloudfront-viewer-';

/**
 * Each Vercel geo header, the CloudFront viewer header it comes from, and the shape a value must
 * have to be passed on. CloudFront documents the formats
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/adding-cloudfront-headers.html);
 * a value that does not fit is dropped, so user code never reads garbage as a real location.
 */
const GEO_HEADERS: readonly GeoHeader[] = [
  [COUNTRY_HEADER_NAME, `${VIEWER_HEADER_PREFIX}country`, (v) => /^[A-Za-z]{2}$/.test(v)],
  // ISO 3166-2 subdivision part: up to three letters or digits.
  [REGION_HEADER_NAME, `${VIEWER_HEADER_PREFIX}country-region`, (v) => /^[A-Za-z0-9]{1,3}$/.test(v)],
  // Passed on percent-encoded, as Vercel does; upstream geolocation() decodes it and throws
  // URIError on a malformed escape, so such a value must not get through.
  [CITY_HEADER_NAME, `${VIEWER_HEADER_PREFIX}city`, (v) => /^[ -~]+$/.test(v) && isDecodable(v)],
  [LATITUDE_HEADER_NAME, `${VIEWER_HEADER_PREFIX}latitude`, (v) => isCoordinate(v, 90)],
  [LONGITUDE_HEADER_NAME, `${VIEWER_HEADER_PREFIX}longitude`, (v) => isCoordinate(v, 180)],
  [
    POSTAL_CODE_HEADER_NAME,
    `${VIEWER_HEADER_PREFIX}postal-code`,
    (v) => /^[A-Za-z0-9][A-Za-z0-9 -]{0,15}$/.test(v),
  ],
  // IANA names such as America/Argentina/Buenos_Aires, Etc/GMT+5.
  [
    TIMEZONE_HEADER_NAME,
    `${VIEWER_HEADER_PREFIX}time-zone`,
    (v) => /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(v),
  ],
];

// A Function URL's own domain (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html).
// `on.aws` belongs to AWS: no API Gateway custom domain can end like this.
const FUNCTION_URL_DOMAIN = /\.lambda-url\.[a-z0-9-]+\.on\.aws$/;

/**
 * Whether a request's `CloudFront-Viewer-*` headers can be taken as CloudFront's. A viewer can
 * send those names itself; CloudFront overwrites them, but only on requests that pass through it.
 *
 * - A Function URL event (`requestContext.domainName` is `<url-id>.lambda-url.<region>.on.aws`).
 *   Under `OriginProtection.oac()` / `oacWithBodySigning()` the URL's auth type is `AWS_IAM`: Lambda
 *   admits only SigV4-signed requests, and `requestContext.authorizer.iam` names the signer, which
 *   the constructs' resource policy allows to be CloudFront's origin access control alone. Under
 *   `secretHeader()` the request guard admits only requests carrying CloudFront's secret. Without
 *   either the URL is public (`OriginProtection.none()`, or a URL made by hand): nothing in the event
 *   tells CloudFront from a direct caller, and the request is trusted as it always was — `none()` is
 *   documented as letting anyone forge these headers, and `npm start` serves its emulated
 *   CloudFront this way.
 * - Any other event — API Gateway REST (v1) and HTTP API (v2) — only when `originSecretChecked()`:
 *   `OriginProtection.secretHeader()` is on, so the guard admitted the request because it carried the
 *   secret CloudFront adds. Otherwise the headers may be the client's own. Called only for such
 *   events, so the Function URL path reads no environment variable.
 */
export function viaCloudFront(requestContext: unknown, originSecretChecked: () => boolean): boolean {
  const domainName = (requestContext as { domainName?: unknown } | null | undefined)?.domainName;
  if (typeof domainName === 'string' && FUNCTION_URL_DOMAIN.test(domainName)) return true;
  return originSecretChecked();
}

/**
 * Makes the request headers trustworthy, in place: removes what a viewer could have spoofed and
 * derives the headers Vercel's proxy would have set.
 *
 * - Every inbound `x-real-ip`, `x-forwarded-for` and `x-vercel-*` (including `x-vercel-oidc-token`)
 *   is dropped. CloudFront's viewer-request function drops them too; this second line of defence
 *   matters when the function is reached some other way.
 * - Not {@link ViewerInfo.viaCloudFront}: every `CloudFront-Viewer-*` header is dropped too.
 * - `x-real-ip` and `x-forwarded-for` come from `CloudFront-Viewer-Address` (port stripped) or,
 *   when that is absent or garbled (or not CloudFront's), from the source IP Lambda saw.
 * - `x-vercel-ip-*` come from the `CloudFront-Viewer-*` geo headers, if well-formed.
 * - `x-vercel-id` is `<vercel region>::<request id>`, as upstream `geolocation()` parses it.
 */
export function applyTrustedHeaders(headers: Headers, viewer: ViewerInfo): void {
  for (const name of [...headers.keys()]) {
    if (isTrustedHeaderName(name) || (!viewer.viaCloudFront && isViewerHeaderName(name))) {
      headers.delete(name);
    }
  }
  deriveHeaders(
    (name) => headers.get(name) ?? undefined,
    (name, value) => headers.set(name, value),
    viewer,
  );
}

/**
 * The second half of {@link applyTrustedHeaders} on a record of lower-case header names that
 * already holds none of the trusted names, nor `CloudFront-Viewer-*` ones when the request did not
 * come through CloudFront (the adapter's event processor leaves them out while it copies the
 * event's headers): adds `x-real-ip`, `x-forwarded-for`, `x-vercel-ip-*` and `x-vercel-id`.
 */
export function addDerivedHeaders(headers: Record<string, string>, viewer: ViewerInfo): void {
  deriveHeaders(
    (name) => headers[name],
    (name, value) => {
      headers[name] = value;
    },
    viewer,
  );
}

function deriveHeaders(
  get: (name: string) => string | undefined,
  set: (name: string, value: string) => void,
  viewer: ViewerInfo,
): void {
  const ip =
    (viewer.viaCloudFront ? viewerAddressIp(get(`${VIEWER_HEADER_PREFIX}address`)) : undefined) ??
    validIp(viewer.sourceIp);
  if (ip !== undefined) {
    set(IP_HEADER_NAME, ip);
    set(FORWARDED_FOR_HEADER_NAME, ip);
  }

  if (viewer.viaCloudFront) {
    for (const [vercelName, cloudFrontName, valid] of GEO_HEADERS) {
      const value = get(cloudFrontName)?.trim();
      if (value && valid(value)) set(vercelName, value);
    }
  }

  set(REQUEST_ID_HEADER_NAME, `${vercelRegionCode(viewer.awsRegion)}::${viewer.requestId}`);
}

/**
 * Whether `name` (lower-case) is one of the headers only the runtime may set: `x-real-ip`,
 * `x-forwarded-for` and every `x-vercel-*`. Inbound values of these are never trusted.
 */
export function isTrustedHeaderName(name: string): boolean {
  return name === IP_HEADER_NAME || name === FORWARDED_FOR_HEADER_NAME || name.startsWith('x-vercel-');
}

/**
 * Whether `name` (lower-case) is a `CloudFront-Viewer-*` header: CloudFront's account of the viewer
 * on a request that came through it, anybody's claim on one that did not ({@link viaCloudFront}).
 */
export function isViewerHeaderName(name: string): boolean {
  return name.startsWith(VIEWER_HEADER_PREFIX);
}

/**
 * The IP address in a `CloudFront-Viewer-Address` value, or `undefined` if the value is not one.
 * CloudFront sends `ip:port`; for IPv6 the last colon group is the port
 * (`2406:da14::c4a:42838`). The bracketed form `[::1]:443` and a bare IPv4 address are accepted
 * too; a bare IPv6 address is not, because its last group cannot be told apart from a port.
 */
export function viewerAddressIp(value: string | null | undefined): string | undefined {
  const address = value?.trim();
  if (!address) return undefined;

  const bracketed = /^\[([^\]]+)\]:(\d{1,5})$/.exec(address);
  if (bracketed) return isIPv6(bracketed[1]) && isPort(bracketed[2]) ? bracketed[1] : undefined;

  if (isIPv4(address)) return address;
  const colon = address.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const ip = address.slice(0, colon);
  const port = address.slice(colon + 1);
  if (!isPort(port)) return undefined;
  return isIP(ip) ? ip : undefined;
}

function validIp(value: string | undefined): string | undefined {
  return value && isIP(value) ? value : undefined;
}

function isPort(value: string): boolean {
  return /^\d{1,5}$/.test(value) && Number(value) <= 65535;
}

function isCoordinate(value: string, limit: number): boolean {
  return /^[-+]?\d{1,3}(\.\d+)?$/.test(value) && Math.abs(Number(value)) <= limit;
}

function isDecodable(value: string): boolean {
  try {
    decodeURIComponent(value);
    return true;
  } catch {
    return false;
  }
}
