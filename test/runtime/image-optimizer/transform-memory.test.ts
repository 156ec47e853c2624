import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';

// decode-budget.ts counts a WebP as free to decode because the resize shrinks it on load. A source
// whose header reads fine but whose pixels do not fails the pipeline, and transformImage then asks
// whether the source decodes at all: that check must decode at the pipeline's size too, or a few KB
// of corrupt WebP make it decode every pixel at full size. Peak memory is per process, so each
// transform runs in a child of its own, and the corrupt source is compared with the valid one in
// the same run (a ratio, not a size in bytes that depends on the machine).

const SIDE = 8192; // 192 MiB of RGB pixels at full size, a few MB at 640 wide
const CHILD = path.join(__dirname, 'transform-peak-memory.ts');

let dir: string;
let valid: string;
let corrupt: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'transform-memory-'));
  const bytes = await sharp({ create: { width: SIDE, height: SIDE, channels: 3, background: '#3366cc' } })
    .webp({ lossless: true })
    .toBuffer();
  // Damaged near the end: the header (and so metadata() and the budget) still reads fine.
  const damaged = Buffer.from(bytes);
  const at = Math.floor(damaged.length * 0.95);
  for (let i = at; i < at + 8; i++) damaged[i] ^= 0xff;
  valid = path.join(dir, 'valid.webp');
  corrupt = path.join(dir, 'corrupt.webp');
  writeFileSync(valid, bytes);
  writeFileSync(corrupt, damaged);
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function peak(file: string): { outcome: string; maxRssKb: number } {
  const output = execFileSync(process.execPath, ['--import', 'tsx', CHILD, file], {
    env: { ...process.env, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1536' },
    encoding: 'utf8',
  });
  return JSON.parse(output);
}

test('a corrupt WebP is told from a valid one at the resized size, without decoding it whole', () => {
  const good = peak(valid);
  const bad = peak(corrupt);
  expect(good.outcome).toBe('transformed');
  expect(bad.outcome).toBe('rejected 400');
  // Decoded whole, the corrupt source took the valid one's peak plus its 192 MiB of pixels.
  expect(bad.maxRssKb).toBeLessThan(good.maxRssKb * 1.5);
}, 60_000);
