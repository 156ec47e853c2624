import { IMAGE_OPTIMIZER_PATH, isOptimizerPath } from '../../../runtime/image-optimizer/paths';

describe('isOptimizerPath', () => {
  test.each([
    '/_vercel/image',
    '/_vercel/image/',
    '/_vercel/imageX',
    '/_vercel/image.png',
    '/_next/image',
    '/_next/image.png',
  ])('is true for %s when it starts with an optimizer path, as a plain prefix', (pathname) => {
    expect(isOptimizerPath(pathname)).toBe(true);
  });

  test.each([
    ['/_vercel/%69mage', 'a percent-escaped letter'],
    ['/_vercel%2Fimage', 'a percent-escaped slash'],
    ['/_vercel/%2569mage', 'a doubly escaped letter'],
    ['/_vercel/%69mage%FF', 'an escape that is not UTF-8 after it'],
    ['//_vercel//image', 'repeated slashes'],
    ['/_VERCEL/Image', 'upper-case letters'],
    ['/_next/%49MAGE', 'an escaped upper-case letter'],
    ['/%5C_vercel/image', 'an escaped backslash'],
    ['/images/%2E%2E/_vercel/image', 'escaped dot segments'],
    ['/images/%252e%252e/_next/image', 'doubly escaped dot segments'],
    ['/_vercel/image%3Furl=%2Fa.png', 'an escaped question mark'],
  ])('is true for %s when the optimizer path is spelt with %s', (pathname) => {
    expect(isOptimizerPath(pathname)).toBe(true);
  });

  test.each([
    '/',
    '/images/a.png',
    '/_vercel/imag',
    '/_vercel/insights/script.js',
    '/photos/_vercel/image.png',
    '/_next/static/a.png',
    '/_vercel/ima%3Fge',
    '/images/%3F/../_vercel/image',
  ])('is false for %s when no optimizer path starts it', (pathname) => {
    expect(isOptimizerPath(pathname)).toBe(false);
  });

  test('is true for the path the optimizer answers at', () => {
    expect(IMAGE_OPTIMIZER_PATH).toBe('/_vercel/image');
    expect(isOptimizerPath(IMAGE_OPTIMIZER_PATH)).toBe(true);
  });
});
