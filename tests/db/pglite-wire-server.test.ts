// The embedded database served on a Unix socket: real node-postgres clients and
// in-process queries at once against one real PGlite, never interleaving.
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { embeddedClientConfig } from "@/lib/db/adapter";
import { lockedPglite } from "@/lib/db/locked-pglite";
import { preparedRows } from "@/lib/db/pglite-prepared";
import { startWireServer, type WireServer } from "@/lib/db/pglite-wire-server";
import { SessionLock } from "@/lib/db/session-lock";

let dir: string;
let raw: PGlite;
let db: PGlite;
let server: WireServer;
const clients: pg.Client[] = [];

async function connect() {
  const client = new pg.Client(embeddedClientConfig(dir));
  client.on("error", () => {}); // Destroyed on purpose in one test.
  await client.connect();
  clients.push(client);
  return client;
}

const count = async (where = "true") => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM item WHERE ${where}`)).rows[0].n);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "wire-"));
  raw = new PGlite("memory://");
  const lock = new SessionLock();
  db = lockedPglite(raw, lock);
  server = await startWireServer(raw, lock, path.join(dir, ".s.PGSQL.5432"));
  await db.exec("CREATE TABLE item (id serial PRIMARY KEY, who text NOT NULL, n int NOT NULL)");
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end().catch(() => {})));
  await db.exec("TRUNCATE item");
});

afterAll(async () => {
  await server.close();
  await raw.close();
  await rm(dir, { recursive: true, force: true });
});

describe("PGlite wire server", () => {
  it("keeps each client's extended-protocol queries whole while two clients and in-process queries interleave", async () => {
    const [a, b] = [await connect(), await connect()];
    // Each caller in sequence (one pg client runs one query at a time); the three callers at once.
    const run = async (who: string, query: (sql: string, params: unknown[]) => Promise<{ rows: { who: string; n: number }[] }>) => {
      for (let n = 0; n < 40; n++) {
        await query("INSERT INTO item (who, n) VALUES ($1, $2)", [who, n]);
        const { rows } = await query("SELECT $1::text AS who, $2::int AS n", [who, n]);
        expect(rows).toEqual([{ who, n }]);
      }
    };
    await Promise.all([
      run("a", (sql, params) => a.query(sql, params)),
      run("b", (sql, params) => b.query(sql, params)),
      run("in-process", (sql, params) => db.query(sql, params) as never),
    ]);
    expect(await count()).toBe(120);
    for (const who of ["a", "b", "in-process"]) {
      const { rows } = await db.query<{ n: number }>("SELECT n FROM item WHERE who = $1 ORDER BY n", [who]);
      expect(rows.map((r) => r.n)).toEqual(Array.from({ length: 40 }, (_, n) => n));
    }
  });

  it("runs nobody else's query inside a client's open transaction, and they see only what it committed", async () => {
    const [a, b] = [await connect(), await connect()];
    await a.query("BEGIN");
    await a.query("INSERT INTO item (who, n) VALUES ('a', 1)");
    const order: string[] = [];
    const fromB = b.query("SELECT count(*)::int AS n FROM item").then((r) => {
      order.push("b");
      return r.rows[0].n;
    });
    const inProcess = count().then((n) => {
      order.push("in-process");
      return n;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(order).toEqual([]); // Both wait for the transaction to end.
    await a.query("INSERT INTO item (who, n) VALUES ('a', 2)");
    const commit = a.query("COMMIT");
    order.push("commit sent");
    await commit;
    expect(await fromB).toBe(2);
    expect(await inProcess).toBe(2);
    expect(order[0]).toBe("commit sent");

    await a.query("BEGIN");
    await a.query("INSERT INTO item (who, n) VALUES ('a', 3)");
    const seen = b.query("SELECT count(*)::int AS n FROM item");
    await a.query("ROLLBACK");
    expect((await seen).rows[0].n).toBe(2);
  });

  it("runs the owner's prepared direct statements only outside a client's open transaction, seeing what it committed", async () => {
    const a = await connect();
    await a.query("BEGIN");
    await a.query("INSERT INTO item (who, n) VALUES ('a', 1)");
    let answered = false;
    const counted = preparedRows<{ n: number }>(db, "SELECT count(*)::int AS n FROM item WHERE who = $1", ["a"], {}).finally(() => {
      answered = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answered).toBe(false); // It waits for the transaction to end.
    await a.query("ROLLBACK");
    expect(await counted).toEqual([{ n: 0 }]);
    // And a client's extended-protocol queries stay whole while prepared statements run between them.
    await Promise.all([
      (async () => {
        for (let n = 0; n < 30; n++) expect((await a.query("SELECT $1::int AS n", [n])).rows).toEqual([{ n }]);
      })(),
      (async () => {
        for (let n = 0; n < 30; n++) expect(await preparedRows(db, "SELECT $1::int + 1000 AS n", [n], {})).toEqual([{ n: n + 1000 }]);
      })(),
    ]);
  });

  it("keeps an in-process transaction whole while clients query", async () => {
    const a = await connect();
    let inserted = false;
    const tx = db.transaction(async (t) => {
      await t.query("INSERT INTO item (who, n) VALUES ('tx', 1)");
      await new Promise((resolve) => setTimeout(resolve, 150));
      inserted = true;
      await t.query("INSERT INTO item (who, n) VALUES ('tx', 2)");
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const seen = await a.query("SELECT count(*)::int AS n FROM item");
    await tx;
    expect(inserted).toBe(true);
    expect(seen.rows[0].n).toBe(2);
  });

  it("rolls back a transaction whose client disconnects, and frees the session for the others", async () => {
    const [a, b, c] = [await connect(), await connect(), await connect()];
    await a.query("BEGIN");
    await a.query("INSERT INTO item (who, n) VALUES ('a', 1)");
    const waiting = b.query("SELECT count(*)::int AS n FROM item");
    (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    expect((await waiting).rows[0].n).toBe(0);
    expect(raw.isInTransaction()).toBe(false);

    await c.query("BEGIN");
    await c.query("INSERT INTO item (who, n) VALUES ('c', 1)");
    await c.end(); // A polite Terminate mid-transaction rolls back too.
    expect(await count()).toBe(0);
  });

  it("reports a failed statement to its client only, and the failed transaction ends with its ROLLBACK", async () => {
    const [a, b] = [await connect(), await connect()];
    await a.query("BEGIN");
    await expect(a.query("SELECT * FROM missing_table")).rejects.toThrow(/missing_table/);
    const fromB = b.query("SELECT 1 AS one");
    await expect(a.query("SELECT 1")).rejects.toThrow(/current transaction is aborted/);
    await a.query("ROLLBACK");
    expect((await fromB).rows).toEqual([{ one: 1 }]);
  });

  it("answers an SSL request with N, drops a connection that sends a malformed message, and serves the others on", async () => {
    const a = await connect();
    const raw = net.connect(path.join(dir, ".s.PGSQL.5432"));
    const replies: Buffer[] = [];
    raw.on("data", (d) => replies.push(d));
    const closed = new Promise((resolve) => raw.once("close", resolve));
    const ssl = Buffer.alloc(8);
    ssl.writeInt32BE(8, 0);
    ssl.writeInt32BE(80877103, 4);
    raw.write(ssl);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(Buffer.concat(replies).toString()).toBe("N");
    const bad = Buffer.alloc(8);
    bad.writeInt32BE(2, 0); // A length shorter than the length field itself.
    raw.write(bad);
    await closed;
    expect((await a.query("SELECT 2 AS two")).rows).toEqual([{ two: 2 }]);
  });
});
