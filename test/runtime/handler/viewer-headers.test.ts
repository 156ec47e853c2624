import { geolocation, ipAddress } from '@vercel/functions';
import { vercelRegionCode } from '../../../runtime/handler/regions';
import {
  addDerivedHeaders,
  applyTrustedHeaders,
  viaCloudFront,
  viewerAddressIp,
} from '../../../runtime/handler/viewer-headers';

function trusted(
  inbound: Record<string, string>,
  viewer: { sourceIp?: string; awsRegion?: string; viaCloudFront?: boolean } = {},
): Headers {
  const headers = new Headers(inbound);
  applyTrustedHeaders(headers, { requestId: 'req-1', viaCloudFront: true, ...viewer });
  return headers;
}

// What a client calling an API Gateway endpoint directly can send.
const FORGED_VIEWER = {
  'cloudfront-viewer-address': '6.6.6.6:1234',
  'cloudfront-viewer-country': 'KP',
  'cloudfront-viewer-city': 'Pyongyang',
  'cloudfront-viewer-latitude': '39.0',
  'cloudfront-viewer-tls': 'TLSv1.3:forged',
  'x-real-ip': '7.7.7.7',
};

describe('viaCloudFront', () => {
  const never = () => {
    throw new Error('the origin secret need not be asked about a Function URL event');
  };

  test.each([
    [
      'a Function URL called through OAC',
      { domainName: 'abc.lambda-url.eu-west-1.on.aws', authorizer: { iam: {} } },
    ],
    [
      'a public Function URL (none(): cannot be verified, trusted as documented)',
      { domainName: 'abc.lambda-url.us-east-1.on.aws' },
    ],
  ])('trusts the headers of %s without asking about the origin secret', (_name, requestContext) => {
    expect(viaCloudFront(requestContext, never)).toBe(true);
  });

  test.each([
    ['an API Gateway HTTP API (v2) event', { domainName: 'id.execute-api.us-east-1.amazonaws.com' }],
    ['an API Gateway custom domain', { domainName: 'api.example.com' }],
    [
      'an API Gateway v2 event signed with IAM',
      { domainName: 'id.execute-api.us-east-1.amazonaws.com', authorizer: { iam: {} } },
    ],
    [
      'a domain that only contains the Function URL suffix',
      { domainName: 'x.lambda-url.us-east-1.on.aws.example.com' },
    ],
    ['an API Gateway REST (v1) event', { identity: { sourceIp: '203.0.113.9' } }],
    ['an event without a requestContext', undefined],
  ])('does not trust the headers of %s without the origin secret', (_name, requestContext) => {
    expect(viaCloudFront(requestContext, () => false)).toBe(false);
  });

  test('trusts the headers of any event admitted for carrying the origin secret', () => {
    expect(viaCloudFront({ identity: { sourceIp: '203.0.113.9' } }, () => true)).toBe(true);
  });
});

describe('viewerAddressIp', () => {
  test.each([
    ['IPv4 with a port', '198.51.100.10:46532', '198.51.100.10'],
    ['IPv6 whose last group is the port', '2406:da14::c4a:42838', '2406:da14::c4a'],
    ['full IPv6 with a port', '2001:db8:85a3:0:0:8a2e:370:7334:443', '2001:db8:85a3:0:0:8a2e:370:7334'],
    ['bracketed IPv6', '[::1]:443', '::1'],
    ['IPv4-mapped IPv6', '::ffff:192.0.2.1:8080', '::ffff:192.0.2.1'],
    ['bare IPv4', '192.0.2.7', '192.0.2.7'],
    ['surrounding spaces', ' 192.0.2.7:1 ', '192.0.2.7'],
  ])('returns the address without the port when the value is %s', (_name, value, ip) => {
    expect(viewerAddressIp(value)).toBe(ip);
  });

  test.each([
    ['empty', ''],
    ['not an address', 'garbage'],
    ['a non-numeric port', '198.51.100.10:http'],
    ['a port above 65535', '198.51.100.10:70000'],
    ['an impossible IPv4', '999.1.1.1:80'],
    ['bare IPv6 (ambiguous)', '2406:da14::c4a'],
    ['brackets without a port', '[::1]'],
    ['brackets around IPv4', '[192.0.2.1]:80'],
    ['a hostname', 'example.com:443'],
  ])('returns undefined when the value is %s', (_name, value) => {
    expect(viewerAddressIp(value)).toBeUndefined();
  });
});

describe('applyTrustedHeaders', () => {
  test('drops spoofed x-real-ip, x-forwarded-for and every x-vercel-* header when a viewer sends them', () => {
    const headers = trusted({
      'x-real-ip': '6.6.6.6',
      'x-forwarded-for': '6.6.6.6, 7.7.7.7',
      'x-vercel-ip-country': 'KP',
      'x-vercel-ip-city': 'Pyongyang',
      'x-vercel-oidc-token': 'forged.jwt.token',
      'x-vercel-id': 'evil1::abc',
      'x-vercel-anything': '1',
      accept: 'text/html',
    });
    expect(headers.get('x-real-ip')).toBe(null);
    expect(headers.get('x-forwarded-for')).toBe(null);
    expect(headers.get('x-vercel-ip-country')).toBe(null);
    expect(headers.get('x-vercel-ip-city')).toBe(null);
    expect(headers.get('x-vercel-oidc-token')).toBe(null);
    expect(headers.get('x-vercel-anything')).toBe(null);
    expect(headers.get('x-vercel-id')).toBe('dev1::req-1');
    expect(headers.get('accept')).toBe('text/html');
  });

  test('derives x-real-ip and x-forwarded-for from CloudFront-Viewer-Address when it is present', () => {
    const headers = trusted(
      { 'cloudfront-viewer-address': '2406:da14::c4a:42838', 'x-real-ip': '6.6.6.6' },
      { sourceIp: '15.158.1.1' },
    );
    expect(headers.get('x-real-ip')).toBe('2406:da14::c4a');
    expect(headers.get('x-forwarded-for')).toBe('2406:da14::c4a');
  });

  test('falls back to the source IP Lambda saw when CloudFront-Viewer-Address is absent or garbled', () => {
    expect(trusted({}, { sourceIp: '15.158.1.1' }).get('x-real-ip')).toBe('15.158.1.1');
    expect(
      trusted({ 'cloudfront-viewer-address': 'nonsense' }, { sourceIp: '15.158.1.1' }).get('x-real-ip'),
    ).toBe('15.158.1.1');
    const neither = trusted({ 'cloudfront-viewer-address': 'nonsense' }, { sourceIp: 'not-an-ip' });
    expect(neither.get('x-real-ip')).toBe(null);
    expect(neither.get('x-forwarded-for')).toBe(null);
  });

  test('maps every CloudFront-Viewer geo header to its x-vercel-ip-* header when the values are well-formed', () => {
    const headers = trusted({
      'cloudfront-viewer-country': 'BR',
      'cloudfront-viewer-country-region': 'SP',
      'cloudfront-viewer-city': 'S%C3%A3o%20Paulo',
      'cloudfront-viewer-latitude': '-23.55000',
      'cloudfront-viewer-longitude': '-46.63330',
      'cloudfront-viewer-postal-code': '01000-000',
      'cloudfront-viewer-time-zone': 'America/Sao_Paulo',
    });
    expect(headers.get('x-vercel-ip-country')).toBe('BR');
    expect(headers.get('x-vercel-ip-country-region')).toBe('SP');
    expect(headers.get('x-vercel-ip-city')).toBe('S%C3%A3o%20Paulo');
    expect(headers.get('x-vercel-ip-latitude')).toBe('-23.55000');
    expect(headers.get('x-vercel-ip-longitude')).toBe('-46.63330');
    expect(headers.get('x-vercel-ip-postal-code')).toBe('01000-000');
    expect(headers.get('x-vercel-ip-timezone')).toBe('America/Sao_Paulo');
  });

  test('drops geo values that are garbled instead of passing them on as if valid', () => {
    const headers = trusted({
      'cloudfront-viewer-country': 'USA',
      'cloudfront-viewer-country-region': 'TOOLONG',
      'cloudfront-viewer-city': '%E0%A4%A',
      'cloudfront-viewer-latitude': 'north',
      'cloudfront-viewer-longitude': '200.5',
      'cloudfront-viewer-postal-code': '<script>',
      'cloudfront-viewer-time-zone': '../../etc/passwd ',
    });
    for (const name of [
      'country',
      'country-region',
      'city',
      'latitude',
      'longitude',
      'postal-code',
      'timezone',
    ]) {
      expect(headers.get(`x-vercel-ip-${name}`)).toBe(null);
    }
  });

  test('drops every CloudFront-Viewer-* header and uses the source IP when the request did not come through CloudFront', () => {
    const headers = trusted(
      { ...FORGED_VIEWER, 'cloudfront-is-mobile-viewer': 'true', accept: 'text/html' },
      { sourceIp: '203.0.113.9', viaCloudFront: false },
    );
    expect(Object.fromEntries(headers)).toEqual({
      accept: 'text/html',
      'cloudfront-is-mobile-viewer': 'true',
      'x-real-ip': '203.0.113.9',
      'x-forwarded-for': '203.0.113.9',
      'x-vercel-id': 'dev1::req-1',
    });
    expect(geolocation({ headers })).toEqual({ flag: undefined, region: 'dev1' });
  });

  test('sets x-vercel-id to <vercel region>::<request id> for the AWS region', () => {
    expect(trusted({}, { awsRegion: 'us-east-1' }).get('x-vercel-id')).toBe('iad1::req-1');
    expect(trusted({}, { awsRegion: 'eu-south-1' }).get('x-vercel-id')).toBe('eu-south-1::req-1');
  });

  test('makes the real @vercel/functions ipAddress() and geolocation() read the derived values', () => {
    const request = new Request('https://example.com/', {
      headers: trusted(
        {
          'cloudfront-viewer-address': '198.51.100.10:46532',
          'cloudfront-viewer-country': 'JP',
          'cloudfront-viewer-country-region': '13',
          'cloudfront-viewer-city': 'T%C5%8Dky%C5%8D',
          'cloudfront-viewer-latitude': '35.68950',
          'cloudfront-viewer-longitude': '139.69170',
          'cloudfront-viewer-postal-code': '100-0001',
        },
        { awsRegion: 'ap-northeast-1' },
      ),
    });
    expect(ipAddress(request)).toBe('198.51.100.10');
    expect(geolocation(request)).toEqual({
      city: 'Tōkyō',
      country: 'JP',
      flag: '🇯🇵',
      countryRegion: '13',
      region: 'hnd1',
      latitude: '35.68950',
      longitude: '139.69170',
      postalCode: '100-0001',
    });
  });
});

describe('vercelRegionCode', () => {
  test.each([
    ['us-east-1', 'iad1'],
    ['us-east-2', 'cle1'],
    ['us-west-1', 'sfo1'],
    ['us-west-2', 'pdx1'],
    ['ca-central-1', 'yul1'],
    ['sa-east-1', 'gru1'],
    ['eu-west-1', 'dub1'],
    ['eu-west-2', 'lhr1'],
    ['eu-west-3', 'cdg1'],
    ['eu-central-1', 'fra1'],
    ['eu-north-1', 'arn1'],
    ['af-south-1', 'cpt1'],
    ['me-central-1', 'dxb1'],
    ['ap-south-1', 'bom1'],
    ['ap-southeast-1', 'sin1'],
    ['ap-southeast-2', 'syd1'],
    ['ap-east-1', 'hkg1'],
    ['ap-northeast-1', 'hnd1'],
    ['ap-northeast-2', 'icn1'],
    ['ap-northeast-3', 'kix1'],
  ])('maps %s to %s', (aws, vercel) => {
    expect(vercelRegionCode(aws)).toBe(vercel);
  });

  test('keeps the AWS region name when Vercel has no code for it', () => {
    expect(vercelRegionCode('ap-southeast-7')).toBe('ap-southeast-7');
    expect(vercelRegionCode('toString')).toBe('toString');
  });

  test("returns upstream's dev1 when no region is known", () => {
    expect(vercelRegionCode(undefined)).toBe('dev1');
    expect(vercelRegionCode('')).toBe('dev1');
  });
});

describe('addDerivedHeaders', () => {
  test('derives nothing from CloudFront-Viewer-* headers when the request did not come through CloudFront', () => {
    const headers: Record<string, string> = { 'cloudfront-viewer-country': 'KP' };
    addDerivedHeaders(headers, { requestId: 'req-1', sourceIp: '203.0.113.9', viaCloudFront: false });
    expect(headers).toEqual({
      'cloudfront-viewer-country': 'KP',
      'x-real-ip': '203.0.113.9',
      'x-forwarded-for': '203.0.113.9',
      'x-vercel-id': 'dev1::req-1',
    });
  });
});
