import { WebSocketUnsupportedError } from '../errors';

/** Options of `experimental_upgradeWebSocket()`. */
export interface UpgradeWebSocketOptions {
  /** Largest message accepted, in bytes. @default 262144 (256 KiB) */
  maxPayload?: number;
}

/**
 * A message payload as the `ws` package delivers it (its `RawData`). Declared here because this
 * runtime does not depend on `ws`; your own type-checking still sees the real package's types.
 */
export type WebSocketData = Buffer | ArrayBuffer | Buffer[];

/**
 * The part of the `ws` package's `WebSocket` that handlers commonly use, declared structurally
 * because this runtime does not depend on `ws`.
 */
export interface WebSocket {
  readonly readyState: number;
  send(data: string | ArrayBufferLike | ArrayBufferView, cb?: (error?: Error) => void): void;
  close(code?: number, reason?: string | Buffer): void;
  on(event: 'message', listener: (data: WebSocketData, isBinary: boolean) => void): this;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}

/**
 * Upstream upgrades the current request to a WebSocket. **Not available on AWS**: Lambda Function
 * URLs stream HTTP responses but carry no WebSockets, so this always rejects with
 * {@link WebSocketUnsupportedError}, whose message starts with upstream's own "not available in
 * the current runtime environment" text (code matching on it keeps working) and points to
 * Amazon API Gateway WebSocket APIs, the AWS service for WebSocket clients.
 *
 * @param handler Would receive the connected socket; never called on AWS.
 * @param options Would configure the socket; ignored on AWS.
 * @returns A promise that rejects with {@link WebSocketUnsupportedError}.
 * @example
 * ```ts
 * import { experimental_upgradeWebSocket } from '@vercel/functions';
 *
 * export default {
 *   async fetch() {
 *     try {
 *       return await experimental_upgradeWebSocket((ws) => ws.send('hello'));
 *     } catch {
 *       return new Response('WebSockets are served by the API Gateway endpoint', { status: 426 });
 *     }
 *   },
 * };
 * ```
 */
export async function experimental_upgradeWebSocket(
  _handler: (ws: WebSocket) => void | Promise<void>,
  _options: UpgradeWebSocketOptions = {},
): Promise<Response> {
  throw new WebSocketUnsupportedError();
}
