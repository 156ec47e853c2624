import { negotiateFormat, requestFormat } from '../../../runtime/image-optimizer/negotiate';

describe('negotiateFormat', () => {
  test.each([
    ['image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8', 'avif'],
    ['image/webp,image/avif,*/*', 'avif'],
    ['image/webp,*/*', 'webp'],
    ['IMAGE/AVIF', 'avif'],
    ['image/avif;q=0, image/webp', 'webp'],
    ['image/avif; q=0.0, image/webp;q=0', 'original'],
    ['image/avif;q=0.1', 'avif'],
    ['*/*', 'original'],
    ['image/*', 'original'],
    ['', 'original'],
  ])('picks the first configured format Accept names explicitly: %s → %s', (accept, expected) => {
    expect(negotiateFormat(accept, ['image/avif', 'image/webp'])).toBe(expected);
  });

  test('follows the configured order and ignores formats that are not configured', () => {
    expect(negotiateFormat('image/avif,image/webp', ['image/webp', 'image/avif'])).toBe('webp');
    expect(negotiateFormat('image/avif', ['image/webp'])).toBe('original');
    expect(negotiateFormat('image/avif,image/webp', [])).toBe('original');
    expect(negotiateFormat(null, ['image/webp'])).toBe('original');
  });
});

describe('requestFormat', () => {
  test('uses the CDN header when it names a configured format or original', () => {
    const headers = (value: string) => new Headers({ 'x-vfa-image-format': value, accept: 'image/webp' });
    expect(requestFormat(headers('avif'), ['image/avif', 'image/webp'])).toBe('avif');
    expect(requestFormat(headers('original'), ['image/avif', 'image/webp'])).toBe('original');
  });

  test('falls back to Accept when the header is missing or names something else', () => {
    expect(requestFormat(new Headers({ accept: 'image/webp' }), ['image/webp'])).toBe('webp');
    const stale = new Headers({ 'x-vfa-image-format': 'avif', accept: 'image/webp' });
    expect(requestFormat(stale, ['image/webp'])).toBe('webp');
    expect(requestFormat(new Headers({ 'x-vfa-image-format': 'jxl' }), ['image/webp'])).toBe('original');
  });
});
