import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import type { LocalFunction } from '../../harness/local-function';

/** One HTTP invocation through the Function URL front, read to its end. */
export interface Ended {
  readonly status: number;
  readonly body: string;
  readonly requestId: string;
}

/**
 * Calls `path` on the function and resolves once the invocation has ENDED — the runtime asked for
 * its next event, i.e. after the waitUntil drain and the invocation end hooks — which is the moment
 * Lambda would freeze the environment.
 */
export async function invokeToEnd(fn: LocalFunction, path: string): Promise<Ended> {
  const response = await fetch(`${fn.url}${path}`);
  const body = await response.text();
  const requestId = response.headers.get('x-amzn-requestid');
  if (!requestId) throw new Error('the Function URL front sent no x-amzn-requestid');
  const invocation = fn.runtimeApi.invocation(requestId);
  if (!invocation) throw new Error(`no invocation ${requestId}`);
  await invocation.ended;
  return { status: response.status, body, requestId };
}

/**
 * Freezes the function's runtime process like Lambda does between invocations (SIGSTOP: no timer,
 * no socket callback runs), until `thaw`.
 */
export function freeze(fn: LocalFunction): void {
  process.kill(requirePid(fn), 'SIGSTOP');
}

export function thaw(fn: LocalFunction): void {
  process.kill(requirePid(fn), 'SIGCONT');
}

function requirePid(fn: LocalFunction): number {
  const pid = fn.runtime.pid;
  if (pid === undefined) throw new Error('the runtime has no PID');
  return pid;
}

/** Polls `read` until `done(value)` holds; fails with the last value after `timeoutMs`. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`condition not reached within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The runtime's log lines that report a crash or an error thrown outside a request. */
export function crashLines(fn: LocalFunction): string[] {
  return fn.logs
    .map((line) => line.text)
    .filter((text) =>
      /Uncaught|Unhandled|Runtime\.ExitError|uncaughtException|unhandledRejection/i.test(text),
    );
}

/** A TCP proxy on a loopback port that delays every chunk, each way, like a link to another host. */
export interface SlowLink {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Relays loopback connections to `targetPort`, delaying each chunk and each close by `delayMs` in
 * both directions, so that a graceful close takes a visible round trip.
 */
export async function startSlowLink(targetPort: number, delayMs: number): Promise<SlowLink> {
  const sockets = new Set<Socket>();
  const relay = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => setTimeout(() => to.destroyed || to.write(chunk), delayMs));
    from.on('end', () => setTimeout(() => to.end(), delayMs));
    from.on('error', () => to.destroy());
    from.on('close', () => setTimeout(() => to.destroy(), delayMs));
  };
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
