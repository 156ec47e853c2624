import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { ImageRequestError } from '../../../runtime/errors';
import { type TransformOptions, transformImage } from '../../../runtime/image-optimizer/transform';
import { sampleAnimation, samplePng } from './sources';

// transformImage on real sharp with images made here. The memory bound follows the function's
// memory (AWS_LAMBDA_FUNCTION_MEMORY_SIZE), so the tests set a small one rather than make the
// 16383 × 16383 sources a real Lambda would refuse: the arithmetic is the same.

const MEMORY_ENV = 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE';
const ORIGINAL: TransformOptions = { width: 256, quality: 75, format: 'original' };

let savedMemory: string | undefined;
beforeEach(() => {
  savedMemory = process.env[MEMORY_ENV];
});
afterEach(() => {
  if (savedMemory === undefined) delete process.env[MEMORY_ENV];
  else process.env[MEMORY_ENV] = savedMemory;
});

/** A flat 4096 × 4096 RGBA PNG: a few KB, but 64 MiB of pixels (128 MiB at 16 bits) once decoded. */
function flatPng(options: { interlaced: boolean; sixteenBit: boolean }): Promise<Buffer> {
  let image = sharp({ create: { width: 4096, height: 4096, channels: 4, background: '#3366cc80' } });
  if (options.sixteenBit) image = image.toColourspace('rgb16');
  return image.png({ progressive: options.interlaced, compressionLevel: 9 }).toBuffer();
}

async function rejection(promise: Promise<unknown>): Promise<ImageRequestError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ImageRequestError);
  return error as ImageRequestError;
}

describe('transformImage: decode memory', () => {
  let interlaced16: Buffer;
  let plain8: Buffer;
  beforeAll(async () => {
    interlaced16 = await flatPng({ interlaced: true, sixteenBit: true });
    plain8 = await flatPng({ interlaced: false, sixteenBit: false });
  });

  test('answers 413 naming the memory for a small interlaced 16-bit PNG whose decode exceeds half of it', async () => {
    expect(interlaced16.length).toBeLessThan(2_000_000);
    process.env[MEMORY_ENV] = '128';
    const error = await rejection(transformImage(interlaced16, 'png', ORIGINAL));
    expect(error.statusCode).toBe(413);
    expect(error.message).toMatch(/4096 × 4096/);
    expect(error.message).toMatch(/128 MB/);
  });

  test('transforms the same PNG when the function has the memory for it', async () => {
    process.env[MEMORY_ENV] = '1536';
    const image = await transformImage(interlaced16, 'png', ORIGINAL);
    expect(await sharp(image.bytes).metadata()).toMatchObject({ format: 'png', width: 256 });
  });

  test('transforms a non-interlaced PNG of the same size, which libvips decodes a few lines at a time', async () => {
    process.env[MEMORY_ENV] = '128';
    const image = await transformImage(plain8, 'png', { ...ORIGINAL, format: 'webp' });
    expect(image.contentType).toBe('image/webp');
    expect(await sharp(image.bytes).metadata()).toMatchObject({ format: 'webp', width: 256, height: 256 });
  });

  test('answers 413 for a single-frame GIF whose decoded frame exceeds half the memory', async () => {
    // 4096 × 4096 × 4 bytes: 64 MB, more than half of 100 MB.
    const gif = await sharp(plain8).gif().toBuffer();
    process.env[MEMORY_ENV] = '100';
    const error = await rejection(transformImage(gif, 'gif', ORIGINAL));
    expect(error.statusCode).toBe(413);
  });

  test('answers 413 naming the limit for a source above 16383 × 16383 pixels, whatever the memory', async () => {
    delete process.env[MEMORY_ENV];
    const huge = withPngSize(await samplePng(8, 8), 20_000, 20_000);
    expect((await sharp(huge, { limitInputPixels: false }).metadata()).width).toBe(20_000);
    const error = await rejection(transformImage(huge, 'png', ORIGINAL));
    expect(error.statusCode).toBe(413);
    expect(error.message).toMatch(/20000 × 20000/);
    expect(error.message).toMatch(/16383 × 16383/);
  });

  test('throws naming the variable when AWS_LAMBDA_FUNCTION_MEMORY_SIZE is not a number of MB', async () => {
    process.env[MEMORY_ENV] = '1.5GB';
    await expect(transformImage(plain8, 'png', ORIGINAL)).rejects.toThrow(
      /AWS_LAMBDA_FUNCTION_MEMORY_SIZE.*"1\.5GB"/,
    );
  });
});

describe('transformImage: GIF', () => {
  test('resizes a single-frame GIF and keeps GIF for the original format', async () => {
    const gif = await samplePng(400, 300).then((png) => sharp(png).gif().toBuffer());
    const image = await transformImage(gif, 'gif', ORIGINAL);
    expect(image.contentType).toBe('image/gif');
    expect(image.extension).toBe('gif');
    expect(await sharp(image.bytes).metadata()).toMatchObject({ format: 'gif', width: 256, height: 192 });
  });

  test('encodes a single-frame GIF in the negotiated format', async () => {
    const gif = await samplePng(400, 300).then((png) => sharp(png).gif().toBuffer());
    const image = await transformImage(gif, 'gif', { ...ORIGINAL, format: 'webp' });
    expect(image.contentType).toBe('image/webp');
    expect(await sharp(image.bytes).metadata()).toMatchObject({ format: 'webp', width: 256 });
  });

  test('serves a two-frame GIF as it is', async () => {
    const gif = await sampleAnimation('gif');
    const image = await transformImage(gif, 'gif', { ...ORIGINAL, width: 8, format: 'webp' });
    expect(image.contentType).toBe('image/gif');
    expect(image.bytes.equals(gif)).toBe(true);
  });

  test('answers 400 for bytes that only start like a GIF', async () => {
    const error = await rejection(transformImage(Buffer.from('GIF89a not really'), 'gif', ORIGINAL));
    expect(error.statusCode).toBe(400);
  });
});

// The same PNG claiming another size in its IHDR chunk (with a valid CRC): sharp reads the header
// only for metadata, so a huge size costs nothing to test.
function withPngSize(png: Buffer, width: number, height: number): Buffer {
  const copy = Buffer.from(png);
  copy.writeUInt32BE(width, 16);
  copy.writeUInt32BE(height, 20);
  copy.writeUInt32BE(crc32(copy.subarray(12, 29)), 29);
  return copy;
}
