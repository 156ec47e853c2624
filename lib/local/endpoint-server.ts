import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback';

// The HTTP side every loopback AWS endpoint shares (STS, CloudFront's API, Secrets Manager, the OIDC
// issuer): a server on 127.0.0.1 that reads each request body whole — the SigV4 signature covers it,
// and these APIs carry small documents — and a close that does not wait for keep-alive sockets.

/** Answers one request whose body has been read. */
export type EndpointHandler = (
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
) => Promise<void> | void;

/** A running endpoint server. */
export interface EndpointServer {
  /** Base URL, `http://127.0.0.1:<port>`: the value for `AWS_ENDPOINT_URL_<SERVICE>`. */
  readonly url: string;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/**
 * Starts a server on 127.0.0.1 (`port` 0 picks a free one) that hands each request to `handler`.
 * An error the handler throws instead of answering is a bug in the endpoint, not an API error: the
 * connection is destroyed, so the SDK reports a network failure rather than a made-up response.
 */
export async function startEndpointServer(handler: EndpointHandler, port = 0): Promise<EndpointServer> {
  const server = createServer((req, res) => {
    readRequestBody(req)
      .then((body) => handler(req, body, res))
      .catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
  });
  const url = await listenOnLoopback(server, port);
  return { url, close: () => closeServer(server) };
}

/** The whole body of `req`. */
export async function readRequestBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Stops `server`, dropping open connections first: `close()` alone closes only idle sockets and
 * waits for any with a request still in flight (one a test abandoned), keeping the process alive.
 */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
