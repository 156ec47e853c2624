import sharp from 'sharp';
import { detectImageType, isAnimated } from '../../../runtime/image-optimizer/image-type';
import { sampleAnimation, sampleJpeg, samplePng } from './sources';

describe('detectImageType', () => {
  test('recognises the raster formats sharp writes', async () => {
    const png = await samplePng(8, 8);
    expect(detectImageType(png)).toBe('png');
    expect(detectImageType(await sampleJpeg(8, 8))).toBe('jpeg');
    expect(detectImageType(await sharp(png).webp().toBuffer())).toBe('webp');
    expect(detectImageType(await sharp(png).avif().toBuffer())).toBe('avif');
    expect(detectImageType(await sharp(png).gif().toBuffer())).toBe('gif');
  });

  test('recognises SVG after an XML declaration, comments and a doctype', () => {
    const svg =
      '\uFEFF<?xml version="1.0"?>\n<!-- logo -->\n<!DOCTYPE svg>\n<svg xmlns="http://www.w3.org/2000/svg"/>';
    expect(detectImageType(Buffer.from(svg))).toBe('svg');
    expect(detectImageType(Buffer.from('<html><svg></svg></html>'))).toBeUndefined();
  });

  test('recognises ICO and BMP headers', () => {
    expect(detectImageType(Buffer.from([0, 0, 1, 0, 1, 0, 16, 16]))).toBe('ico');
    expect(detectImageType(Buffer.concat([Buffer.from('BM'), Buffer.alloc(20)]))).toBe('bmp');
  });

  test('returns undefined for text, HTML and empty bodies', () => {
    expect(detectImageType(Buffer.from('<!doctype html><p>hi</p>'))).toBeUndefined();
    expect(detectImageType(Buffer.from('{"a":1}'))).toBeUndefined();
    expect(detectImageType(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('isAnimated', () => {
  test('is true for a GIF or WebP sharp counts several frames in, false for one frame', async () => {
    for (const format of ['gif', 'webp'] as const) {
      const animation = await sampleAnimation(format);
      expect(isAnimated(animation, format, (await sharp(animation).metadata()).pages)).toBe(true);
      const still = await sharp(await samplePng(8, 8))
        .toFormat(format)
        .toBuffer();
      expect(isAnimated(still, format, (await sharp(still).metadata()).pages)).toBe(false);
    }
    expect(isAnimated(await samplePng(8, 8), 'png', undefined)).toBe(false);
  });

  test('is true for a PNG with an acTL chunk before its image data (APNG), which sharp counts as one frame', async () => {
    const png = await samplePng(8, 8);
    const actl = Buffer.from([0, 0, 0, 8, ...Buffer.from('acTL'), 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]);
    // After the signature and the IHDR chunk (8 + 25 bytes).
    const apng = Buffer.concat([png.subarray(0, 33), actl, png.subarray(33)]);
    expect(isAnimated(apng, 'png', (await sharp(apng).metadata()).pages)).toBe(true);
  });
});
