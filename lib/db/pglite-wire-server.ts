// Serves the owner's PGlite to local processes over the PostgreSQL wire protocol
// on a Unix socket. PGlite has one session, so each connection's messages are
// grouped up to Sync or a simple Query and run as a whole under the session
// lock; a connection that leaves a transaction open keeps the lock until it ends.
import fs from "node:fs";
import net from "node:net";
import type { PGlite } from "@electric-sql/pglite";
import type { SessionLock } from "./session-lock";

export type WireServer = { socketPath: string; close(): Promise<void> };

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
const MAX_MESSAGE = 256 * 1024 * 1024;

const byte = (c: string) => c.charCodeAt(0);
const SYNC = byte("S");
const QUERY = byte("Q");
const FLUSH = byte("H");
const TERMINATE = byte("X");

// Frontend messages run while this connection holds the session after an error: leave the backend idle.
const syncMessage = Buffer.from([SYNC, 0, 0, 0, 4]);
const rollbackMessage = (() => {
  const sql = Buffer.from("ROLLBACK\0");
  const head = Buffer.alloc(5);
  head[0] = QUERY;
  head.writeInt32BE(4 + sql.length, 1);
  return Buffer.concat([head, sql]);
})();

export async function startWireServer(db: PGlite, lock: SessionLock, socketPath: string): Promise<WireServer> {
  const connections = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
    serveConnection(db, lock, socket);
  });
  // Only the lock holder calls this, so a socket file left here belongs to a dead owner.
  fs.rmSync(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => {
      server.off("error", reject);
      resolve();
    });
  });
  fs.chmodSync(socketPath, 0o600);
  return {
    socketPath,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of connections) socket.destroy();
      await closed;
      fs.rmSync(socketPath, { force: true });
    },
  };
}

function serveConnection(db: PGlite, lock: SessionLock, socket: net.Socket) {
  let buffer = Buffer.alloc(0);
  let started = false;
  let group: Buffer[] = [];
  let release: (() => void) | null = null;
  let closed = false;
  // Groups of one connection run in order; the chain also serializes the cleanup.
  let chain = Promise.resolve();

  const run = (work: () => Promise<void>) => {
    chain = chain.then(work).catch((err) => {
      socket.destroy(err instanceof Error ? err : new Error(String(err)));
    });
  };

  const write = (bytes: Uint8Array) => {
    if (!closed && bytes.length) socket.write(Buffer.from(bytes));
  };

  const runGroup = (messages: Buffer, lastType: number) =>
    run(async () => {
      if (closed) return;
      release ??= await lock.acquire();
      if (closed) return; // The close handler, queued behind us, cleans up.
      await db.execProtocolRawStream(messages, { onRawData: write });
      // Inside a transaction, or mid extended-protocol exchange (Flush without Sync): the session stays ours.
      if (!db.isInTransaction() && lastType !== FLUSH) {
        release();
        release = null;
      }
    });

  const onStartup = (message: Buffer) => {
    const code = message.readInt32BE(4);
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) return void socket.write("N");
    if (code === CANCEL_REQUEST) return void socket.end(); // Cancelling a PGlite query is not possible.
    if (code !== PROTOCOL_3) {
      socket.destroy();
      return;
    }
    started = true;
    run(() => lock.run(async () => write(await db.execProtocolRaw(message))));
  };

  socket.on("data", (chunk) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    for (;;) {
      // After startup each message is a type byte and an int32 length counting itself; before, just the length.
      const typeBytes = started ? 1 : 0;
      if (buffer.length < typeBytes + 4) break;
      const declared = buffer.readInt32BE(typeBytes);
      if (declared < 4 || declared > MAX_MESSAGE) {
        socket.destroy();
        return;
      }
      const length = typeBytes + declared;
      if (buffer.length < length) break;
      const message = buffer.subarray(0, length);
      buffer = buffer.subarray(length);
      if (!started) {
        onStartup(Buffer.from(message));
        continue;
      }
      const type = message[0];
      if (type === TERMINATE) {
        socket.end();
        return;
      }
      group.push(Buffer.from(message));
      if (type === SYNC || type === QUERY || type === FLUSH) {
        const messages = Buffer.concat(group);
        group = [];
        runGroup(messages, type);
      }
    }
  });

  const onClose = () => {
    if (closed) return;
    closed = true;
    // Queued after any running group: a transaction left open is rolled back before anyone else runs.
    chain = chain
      .then(async () => {
        if (!release) return;
        try {
          await db.execProtocolRaw(syncMessage);
          if (db.isInTransaction()) await db.execProtocolRaw(rollbackMessage);
        } finally {
          release();
          release = null;
        }
      })
      .catch(() => {});
  };
  socket.on("close", onClose);
  socket.on("error", () => socket.destroy());
}
