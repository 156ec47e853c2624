import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

// Test helpers for the image optimizer: sample images made with sharp (known sizes, real
// encoders) and a loopback HTTP server serving them the way origins do.

/** A PNG of `width` × `height` with noise (so quality and size matter to the encoders). */
export function samplePng(width: number, height: number): Promise<Buffer> {
  return noise(width, height).png().toBuffer();
}

/** A JPEG of `width` × `height` with noise. */
export function sampleJpeg(width: number, height: number): Promise<Buffer> {
  return noise(width, height).jpeg({ quality: 95 }).toBuffer();
}

/** A two-frame animated image (`gif` or `webp`), 16 × 16. */
export async function sampleAnimation(format: 'gif' | 'webp'): Promise<Buffer> {
  const frame = (background: string) =>
    sharp({ create: { width: 16, height: 16, channels: 3, background } })
      .png()
      .toBuffer();
  const frames = [await frame('#ff0000'), await frame('#0000ff')];
  return sharp(frames, { join: { animated: true } })
    .toFormat(format)
    .toBuffer();
}

function noise(width: number, height: number): sharp.Sharp {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  });
}

/** What a route of the source server answers. */
export type SourceRoute = (request: IncomingMessage, response: ServerResponse) => void;

/** A loopback origin serving `routes` by path (query ignored); other paths get 404. */
export class SourceServer {
  static async start(routes: Record<string, SourceRoute> = {}): Promise<SourceServer> {
    const server = new SourceServer(routes);
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', () => resolve()));
    return server;
  }

  /** Every request path (with query) received, in order. */
  readonly requests: string[] = [];
  private readonly server: Server;

  private constructor(readonly routes: Record<string, SourceRoute>) {
    this.server = createServer((request, response) => {
      this.requests.push(request.url ?? '');
      const route = this.routes[new URL(request.url ?? '/', 'http://x').pathname];
      if (route) route(request, response);
      else response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    });
  }

  /** `http://127.0.0.1:<port>` */
  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A route answering `body` with `headers`. */
export function serve(
  body: Buffer | string,
  headers: Record<string, string> = {},
  status = 200,
): SourceRoute {
  return (_request, response) => {
    response.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers }).end(body);
  };
}

/** A route redirecting to `location`. */
export function redirect(location: string, status = 302): SourceRoute {
  return (_request, response) => {
    response.writeHead(status, { location }).end();
  };
}
