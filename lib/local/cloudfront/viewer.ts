import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { percentEncodeNonAscii } from '../dev-server-viewer';

// Who the viewer is, as CloudFront would tell: its address, protocol, device type and location
// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/adding-cloudfront-headers.html).
// Locally there is no IP geolocation, so a request states its own location: `CloudFront-Viewer-*`
// headers it sends are taken as "the viewer" (that is how a test or `curl` acts as a viewer in
// München), else the configured default location applies; the address comes from the socket unless
// the request names one in `CloudFront-Viewer-Address`. Everything else a viewer sends under a
// `CloudFront-*` name is dropped, as CloudFront overwrites those headers.

/** The viewer of one request. */
export interface Viewer {
  readonly ip: string;
  readonly port: number;
  readonly protocol: 'http' | 'https';
  /** The CloudFront headers CloudFront can add for this viewer: lower-case name → [name, value]. */
  readonly cloudFrontHeaders: ReadonlyMap<string, readonly [string, string]>;
}

/** CloudFront's names for its headers, by lower-case name. */
const CANONICAL_NAMES = new Map(
  [
    'CloudFront-Forwarded-Proto',
    'CloudFront-Is-Android-Viewer',
    'CloudFront-Is-Desktop-Viewer',
    'CloudFront-Is-IOS-Viewer',
    'CloudFront-Is-Mobile-Viewer',
    'CloudFront-Is-SmartTV-Viewer',
    'CloudFront-Is-Tablet-Viewer',
    'CloudFront-Viewer-Address',
    'CloudFront-Viewer-ASN',
    'CloudFront-Viewer-City',
    'CloudFront-Viewer-Country',
    'CloudFront-Viewer-Country-Name',
    'CloudFront-Viewer-Country-Region',
    'CloudFront-Viewer-Country-Region-Name',
    'CloudFront-Viewer-Http-Version',
    'CloudFront-Viewer-Latitude',
    'CloudFront-Viewer-Longitude',
    'CloudFront-Viewer-Metro-Code',
    'CloudFront-Viewer-Postal-Code',
    'CloudFront-Viewer-Time-Zone',
    'CloudFront-Viewer-TLS',
  ].map((name) => [name.toLowerCase(), name]),
);

/** The headers CloudFront derives from the viewer's IP address: its location. */
export const VIEWER_LOCATION_HEADERS: readonly string[] = [
  'cloudfront-viewer-city',
  'cloudfront-viewer-country',
  'cloudfront-viewer-country-name',
  'cloudfront-viewer-country-region',
  'cloudfront-viewer-country-region-name',
  'cloudfront-viewer-latitude',
  'cloudfront-viewer-longitude',
  'cloudfront-viewer-metro-code',
  'cloudfront-viewer-postal-code',
  'cloudfront-viewer-time-zone',
];

/**
 * The viewer of `req`.
 *
 * @param defaultLocation `CloudFront-Viewer-*` location headers (any case) for requests that send none
 */
export function identifyViewer(
  req: IncomingMessage,
  defaultLocation: Readonly<Record<string, string>> = {},
): Viewer {
  const sent = new Map<string, string>();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    if (name.startsWith('cloudfront-viewer-') && !sent.has(name)) sent.set(name, req.rawHeaders[i + 1]);
  }
  const headers = new Map<string, readonly [string, string]>();
  const set = (name: string, value: string) => headers.set(name, [CANONICAL_NAMES.get(name) ?? name, value]);

  const secure = (req.socket as Partial<TLSSocket>).encrypted === true;
  const address = parseAddress(sent.get('cloudfront-viewer-address')) ?? socketAddress(req);
  set('cloudfront-viewer-address', formatAddress(address.ip, address.port));
  set('cloudfront-forwarded-proto', secure ? 'https' : 'http');
  set('cloudfront-viewer-http-version', req.httpVersion);
  if (secure)
    set(
      'cloudfront-viewer-tls',
      `${(req.socket as TLSSocket).getProtocol?.() ?? 'TLSv1.3'}:local:fullHandshake`,
    );
  const asn = sent.get('cloudfront-viewer-asn');
  if (asn !== undefined) set('cloudfront-viewer-asn', asn);

  const ownLocation = VIEWER_LOCATION_HEADERS.some((name) => sent.has(name));
  if (ownLocation) {
    for (const name of VIEWER_LOCATION_HEADERS) {
      const value = sent.get(name);
      // Node reads header bytes as latin1; a viewer's raw UTF-8 (`München`) reaches the function the
      // way CloudFront sends its own location: percent-encoded (`M%C3%BCnchen`), as the adapter expects.
      if (value !== undefined)
        set(name, percentEncodeNonAscii(Buffer.from(value, 'latin1').toString('utf8')));
    }
  } else {
    for (const [name, value] of Object.entries(defaultLocation)) {
      const lower = name.toLowerCase();
      if (VIEWER_LOCATION_HEADERS.includes(lower)) set(lower, value);
    }
  }

  const device = deviceOf(String(req.headers['user-agent'] ?? ''));
  set('cloudfront-is-android-viewer', String(device.android));
  set('cloudfront-is-ios-viewer', String(device.ios));
  set('cloudfront-is-mobile-viewer', String(device.mobile));
  set('cloudfront-is-tablet-viewer', String(device.tablet));
  set('cloudfront-is-smarttv-viewer', String(device.smartTv));
  set('cloudfront-is-desktop-viewer', String(!device.mobile && !device.tablet && !device.smartTv));
  return {
    ip: address.ip,
    port: address.port,
    protocol: secure ? 'https' : 'http',
    cloudFrontHeaders: headers,
  };
}

/** `ip:port` as CloudFront writes it: IPv6 without brackets (`2406:da14::c4a:42838`). */
function formatAddress(ip: string, port: number): string {
  return `${ip}:${port}`;
}

// `198.51.100.10:46532`, `2406:da14::c4a:42838` (IPv6, port after the last colon) or `[::1]:443`.
function parseAddress(value: string | undefined): { ip: string; port: number } | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (bracketed) return { ip: bracketed[1], port: Number(bracketed[2]) };
  const at = text.lastIndexOf(':');
  if (at <= 0 || !/^\d+$/.test(text.slice(at + 1))) return undefined;
  return { ip: text.slice(0, at), port: Number(text.slice(at + 1)) };
}

function socketAddress(req: IncomingMessage): { ip: string; port: number } {
  const address = req.socket.remoteAddress ?? '127.0.0.1';
  // IPv4 clients of a dual-stack server show up as IPv4-mapped IPv6; CloudFront reports plain IPv4.
  const ip =
    address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
  return { ip, port: req.socket.remotePort ?? 0 };
}

// CloudFront derives the device headers from User-Agent; this is a rough local stand-in.
function deviceOf(userAgent: string) {
  const ios = /iPhone|iPad|iPod/.test(userAgent);
  const android = /Android/.test(userAgent);
  const tablet = /iPad|Tablet/.test(userAgent) || (android && !/Mobile/.test(userAgent));
  const smartTv = /Smart-?TV|GoogleTV|AppleTV|HbbTV|BRAVIA|NetCast|Roku|Web0S|Tizen.+TV/i.test(userAgent);
  const mobile = /Mobi|iPhone|iPod|Windows Phone/.test(userAgent) && !tablet;
  return { ios, android, tablet, smartTv, mobile };
}
