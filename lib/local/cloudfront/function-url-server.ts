import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { closeServer } from '../endpoint-server';
import {
  toFunctionUrlEvent,
  writeBufferedResponse,
  writeFunctionError,
  writeStreamedResponse,
} from '../function-url';
import { listenOnLoopback } from '../loopback';
import { parseSigV4Authorization } from '../sigv4';
import { authorizeFunctionUrlRequest } from './origin-access';

// Lambda Function URLs on a loopback port: the origins the CloudFront emulation calls. Each request
// is authenticated as its URL's auth type demands — AWS_IAM URLs accept only requests signed by a
// trusted principal (the emulated CloudFront's origin access control) whose body matches
// x-amz-content-sha256 — then turned into a payload v2 event, and the function's answer (streamed or
// buffered) into the HTTP response, chunk by chunk.

/** What a function did with an invocation. */
export type FunctionUrlInvocation =
  | { readonly kind: 'streaming'; readonly contentType: string; readonly body: Readable }
  | { readonly kind: 'buffered'; readonly payload: Buffer }
  | { readonly kind: 'error' };

/** The function behind one Function URL. */
export interface FunctionUrlTarget {
  readonly authType: 'AWS_IAM' | 'NONE';
  invoke(event: LambdaFunctionURLEvent): Promise<FunctionUrlInvocation>;
}

/** Options of {@link startFunctionUrlServer}. */
export interface FunctionUrlServerOptions {
  /** The Function URL a request's Host names (`undefined`: none here → 404). */
  readonly targetFor: (host: string) => FunctionUrlTarget | undefined;
  /** The secret key of an access key id allowed to invoke AWS_IAM URLs. */
  readonly trusted: (accessKeyId: string) => string | undefined;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Receives why requests were refused. @default - dropped */
  readonly log?: (line: string) => void;
}

/** A running Function URL server. */
export interface FunctionUrlServer {
  /** e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

// Function URLs refuse larger request payloads (Lambda's synchronous invocation limit).
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

/** Starts a Function URL server on 127.0.0.1. */
export async function startFunctionUrlServer(options: FunctionUrlServerOptions): Promise<FunctionUrlServer> {
  const server: Server = createServer((req, res) => {
    serve(req, res, options).catch((error: unknown) => {
      options.log?.(`Function URL request failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) writeFunctionError(res);
      else res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  server.requestTimeout = 0;
  const url = await listenOnLoopback(server);
  return { url, port: Number(new URL(url).port), close: () => closeServer(server) };
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  options: FunctionUrlServerOptions,
): Promise<void> {
  const requestId = randomUUID();
  res.setHeader('x-amzn-requestid', requestId);
  const body = await readBody(req);
  if (body === undefined) {
    return sendJson(res, 413, {
      Message: `Request must be smaller than ${MAX_REQUEST_BYTES} bytes for the InvokeFunction operation`,
    });
  }
  const host = String(req.headers.host ?? '');
  const target = options.targetFor(host);
  if (!target) return sendJson(res, 404, { Message: `No Function URL answers at ${host}` });
  const authorization = authorizeFunctionUrlRequest(
    target.authType,
    { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body },
    options.trusted,
  );
  if (!authorization.allowed) {
    options.log?.(`${req.method} ${host}${req.url} refused with 403: ${authorization.reason}`);
    res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' });
    res.end(authorization.body);
    return;
  }
  const region =
    /\.lambda-url\.([a-z0-9-]+)\.on\.aws(?::\d+)?$/.exec(host)?.[1] ?? options.region ?? 'us-east-1';
  const urlId = /^([a-z0-9]+)\.lambda-url\./.exec(host)?.[1];
  // Authorized above: an AWS_IAM URL's event names the signer it verified.
  const signer =
    target.authType === 'AWS_IAM'
      ? parseSigV4Authorization(String(req.headers.authorization))?.accessKeyId
      : undefined;
  const event = toFunctionUrlEvent(req, body, {
    requestId,
    region,
    ...(urlId ? { urlId } : {}),
    accountId: target.authType === 'AWS_IAM' ? '000000000000' : 'anonymous',
    ...(signer ? { iamAccessKey: signer } : {}),
  });
  const invocation = await target.invoke(event);
  switch (invocation.kind) {
    case 'streaming':
      await writeStreamedResponse(invocation.body, res, { contentType: invocation.contentType });
      return;
    case 'buffered':
      writeBufferedResponse(invocation.payload, res);
      return;
    case 'error':
      writeFunctionError(res);
      return;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) {
      req.resume();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, statusCode: number, body: unknown): void {
  res.writeHead(statusCode, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
