import { crc32, deflateSync } from 'node:zlib';

// A 1200 × 800 PNG (a colour gradient), drawn without an image library: the source for
// `/_vercel/image?url=%2Fapi%2Fphoto&w=640`, which the image optimizer (turned on by `images` in
// vercel.json) resizes and converts. A function stands in for a static file, which an api/-only
// project cannot serve.
const WIDTH = 1200;
const HEIGHT = 800;

// Drawn once per instance: the image never changes.
const PNG = new Uint8Array(encodePng());

export function GET(): Response {
  return new Response(PNG, {
    headers: { 'content-type': 'image/png', 'cache-control': 'public, max-age=3600' },
  });
}

function encodePng(): Buffer {
  // One filter byte (0: none) per row, then RGB pixels.
  const rows = Buffer.alloc(HEIGHT * (1 + WIDTH * 3));
  for (let y = 0; y < HEIGHT; y++) {
    const row = y * (1 + WIDTH * 3);
    for (let x = 0; x < WIDTH; x++) {
      const at = row + 1 + x * 3;
      rows[at] = Math.round((255 * x) / WIDTH);
      rows[at + 1] = Math.round((255 * y) / HEIGHT);
      rows[at + 2] = 160;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(WIDTH, 0);
  header.writeUInt32BE(HEIGHT, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
