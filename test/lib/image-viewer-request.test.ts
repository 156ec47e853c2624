import * as vm from 'node:vm';
import fc from 'fast-check';
import { imageViewerRequestSource } from '../../lib/private/image-cloudfront-function';
import type { ImageFormat } from '../../runtime/image-optimizer/config';
import { IMAGE_FORMAT_HEADER, negotiateFormat } from '../../runtime/image-optimizer/negotiate';

type Headers = Record<string, { value: string }>;

// Runs the image behaviour's CloudFront Function as CloudFront does: the deployed code as a script
// defining `handler`, called with a viewer-request event.
function load(formats: readonly ImageFormat[]): (headers: Headers) => { headers: Headers } {
  const context = vm.createContext({});
  vm.runInContext(imageViewerRequestSource(formats), context, { filename: 'image-viewer-request.js' });
  const handler = context.handler as (event: unknown) => { headers: Headers };
  return (headers) =>
    handler({
      version: '1.0',
      context: {
        distributionDomainName: 'd111111abcdef8.cloudfront.net',
        distributionId: 'EDFDVBD6EXAMPLE',
        eventType: 'viewer-request',
        requestId: 'req-1',
      },
      viewer: { ip: '198.51.100.10' },
      request: { method: 'GET', uri: '/_vercel/image', querystring: {}, headers, cookies: {} },
    });
}

const BOTH: ImageFormat[] = ['image/avif', 'image/webp'];

describe('image viewer-request CloudFront Function', () => {
  test('sanitises the request like every function behaviour and overrides a viewer-sent format', () => {
    const request = load(BOTH)({
      host: { value: 'shop.example.com' },
      'x-vfa-image-format': { value: 'avif' },
      'x-vfa-distribution-domain': { value: 'evil.example' },
      'x-forwarded-for': { value: '10.0.0.1' },
      accept: { value: 'image/webp' },
    });
    expect(request.headers[IMAGE_FORMAT_HEADER]).toEqual({ value: 'webp' });
    expect(request.headers['x-vfa-distribution-domain']).toEqual({ value: 'd111111abcdef8.cloudfront.net' });
    expect(request.headers['x-forwarded-host']).toEqual({ value: 'shop.example.com' });
    expect(request.headers['x-forwarded-for']).toBeUndefined();
  });

  test.each([
    ['image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8', 'avif'],
    ['image/webp,*/*', 'webp'],
    ['*/*', 'original'],
  ])('reduces Accept %s to %s', (accept, expected) => {
    expect(load(BOTH)({ accept: { value: accept } }).headers[IMAGE_FORMAT_HEADER]).toEqual({
      value: expected,
    });
  });

  test('answers original without an Accept header or without configured formats', () => {
    expect(load(BOTH)({}).headers[IMAGE_FORMAT_HEADER]).toEqual({ value: 'original' });
    expect(load([])({ accept: { value: 'image/avif' } }).headers[IMAGE_FORMAT_HEADER]).toEqual({
      value: 'original',
    });
  });

  test('agrees with the runtime negotiation for any Accept header and format list', () => {
    const range = fc
      .tuple(
        fc.constantFrom(
          'image/avif',
          'image/webp',
          'IMAGE/AVIF',
          'image/*',
          '*/*',
          'image/png',
          'text/html',
          '',
        ),
        fc.option(fc.constantFrom('q=0', 'q=0.0', 'q=0.5', 'q=1', 'q = 0', 'Q=0', 'q=abc', 'level=1'), {
          nil: undefined,
        }),
      )
      .map(([type, param]) => (param === undefined ? type : `${type};${param}`));
    const formats = fc.constantFrom<ImageFormat[]>([], ['image/webp'], ['image/avif'], BOTH, [
      'image/webp',
      'image/avif',
    ]);
    fc.assert(
      fc.property(
        fc.array(range, { maxLength: 6 }),
        fc.constantFrom(', ', ','),
        formats,
        (ranges, separator, list) => {
          const accept = ranges.join(separator);
          const atEdge = load(list)({ accept: { value: accept } }).headers[IMAGE_FORMAT_HEADER].value;
          expect(atEdge).toBe(negotiateFormat(accept, list));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('fits within the 10 KB CloudFront allows for function code', () => {
    expect(Buffer.byteLength(imageViewerRequestSource(BOTH))).toBeLessThan(10_240);
  });
});
