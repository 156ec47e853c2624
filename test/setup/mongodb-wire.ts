import { createServer, type Server, type Socket } from 'node:net';
import { BSON, type Document } from 'mongodb';

/*
 * A loopback endpoint speaking the MongoDB wire protocol, enough for the real `mongodb` driver to
 * connect, run commands and pool connections: no MongoDB server package is available here (Debian
 * ships none). It answers the handshake (OP_QUERY `ismaster` → OP_REPLY) and OP_MSG commands as a
 * standalone MongoDB 7.0 without sessions: `hello` / `ismaster`, `ping` (delayed by `delayMs` if
 * given, to make a command run long), `endSessions`. It tracks every client socket so tests can
 * count, as a server would, the connections a function holds, and drop them.
 *
 * Wire format: https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/
 */

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;
const MAX_WIRE_VERSION = 21;

/** One client connection as the server sees it. */
export interface WireConnection {
  readonly id: number;
  /** True once it ran a command other than the handshake / heartbeats: a pool connection in use. */
  readonly application: boolean;
  /** True while a command is being answered. */
  readonly busy: boolean;
}

export interface MongoWireServer {
  readonly port: number;
  readonly url: string;
  /** Open connections that ran an application command (the driver's monitors never do). */
  applicationConnections(): WireConnection[];
  /** Drops every open application connection, as a server restart or idle timeout would. */
  dropApplicationConnections(): void;
  stop(): Promise<void>;
}

interface Tracked {
  id: number;
  application: boolean;
  busy: number;
  socket: Socket;
}

export async function startMongoWireServer(): Promise<MongoWireServer> {
  const sockets = new Set<Tracked>();
  let nextId = 1;
  const server: Server = createServer((socket) => {
    const tracked: Tracked = { id: nextId++, application: false, busy: 0, socket };
    sockets.add(tracked);
    socket.on('close', () => sockets.delete(tracked));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= buffered.readInt32LE(0)) {
        const length = buffered.readInt32LE(0);
        const message = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        handle(tracked, message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  function handle(connection: Tracked, message: Buffer): void {
    const requestId = message.readInt32LE(4);
    const opCode = message.readInt32LE(12);
    if (opCode === OP_QUERY) {
      // flags(4) fullCollectionName(cstring) skip(4) return(4) query(doc)
      let offset = 20;
      while (message[offset] !== 0) offset++;
      offset += 1 + 8;
      const query = BSON.deserialize(message.subarray(offset, offset + message.readInt32LE(offset)));
      reply(connection, requestId, opCode, helloReply(connection, query));
      return;
    }
    if (opCode === OP_MSG) {
      // flagBits(4), then section kind 0: the command body.
      const body = BSON.deserialize(message.subarray(21, 21 + message.readInt32LE(21)));
      const name = Object.keys(body)[0]?.toLowerCase();
      if (name === 'hello' || name === 'ismaster') {
        reply(connection, requestId, opCode, helloReply(connection, body));
        return;
      }
      connection.application = true;
      connection.busy++;
      const delay = typeof body.delayMs === 'number' ? body.delayMs : 0;
      setTimeout(() => {
        connection.busy--;
        reply(connection, requestId, opCode, { ok: 1 });
      }, delay);
      return;
    }
    connection.socket.destroy();
  }

  function helloReply(connection: Tracked, request: Document): Document {
    return {
      ...(request.helloOk ? { helloOk: true } : {}),
      ismaster: true,
      isWritablePrimary: true,
      maxBsonObjectSize: 16 * 1024 * 1024,
      maxMessageSizeBytes: 48_000_000,
      maxWriteBatchSize: 100_000,
      localTime: new Date(),
      connectionId: connection.id,
      minWireVersion: 0,
      maxWireVersion: MAX_WIRE_VERSION,
      readOnly: false,
      ok: 1,
    };
  }

  function reply(connection: Tracked, responseTo: number, opCode: number, document: Document): void {
    if (connection.socket.destroyed) return;
    const body = Buffer.from(BSON.serialize(document));
    let payload: Buffer;
    if (opCode === OP_QUERY) {
      // responseFlags(4) cursorID(8) startingFrom(4) numberReturned(4) documents
      payload = Buffer.alloc(20);
      payload.writeInt32LE(1, 16);
      payload = Buffer.concat([payload, body]);
    } else {
      // flagBits(4), section kind 0
      payload = Buffer.concat([Buffer.alloc(5), body]);
    }
    const header = Buffer.alloc(16);
    header.writeInt32LE(16 + payload.length, 0);
    header.writeInt32LE(nextId++, 4);
    header.writeInt32LE(responseTo, 8);
    header.writeInt32LE(opCode === OP_QUERY ? OP_REPLY : OP_MSG, 12);
    connection.socket.write(Buffer.concat([header, payload]));
  }

  const application = () => [...sockets].filter((connection) => connection.application);
  return {
    port,
    url: `mongodb://127.0.0.1:${port}/?directConnection=true`,
    applicationConnections: () =>
      application().map(({ id, application: app, busy }) => ({ id, application: app, busy: busy > 0 })),
    dropApplicationConnections: () => {
      for (const connection of application()) connection.socket.destroy();
    },
    stop: async () => {
      for (const connection of sockets) connection.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
