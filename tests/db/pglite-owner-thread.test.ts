// npm start's embedded database in a thread of its own: the thread owns the
// folder (the lock names this process) and serves it on the owner's socket; the
// calling thread is a client of that socket like any other command.
import { existsSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { databaseTarget, embeddedClientConfig } from "@/lib/db/adapter";
import { newPrismaClient, Prisma, queryRows } from "@/lib/db/client";
import { LOCK_FILE, readLiveOwner, tryAcquireDataDirLock, type Owner } from "@/lib/db/data-dir-lock";
import { closeEmbedded, DatabaseInUseError, knownEmbeddedAccess } from "@/lib/db/embedded-access";
import { listMigrationNames } from "@/lib/db/migrate";
import { migrateDatabase } from "@/lib/db/migrate-database";
import { startPgliteOwnerThread } from "@/lib/db/pglite-owner-thread";
import { configuredStore, LIMITER_TABLE, postgresStore } from "@/lib/rate-limit/limiter-store";
import { resetConfig } from "@/lib/config";

let dir: string;
const config = () => ({ DATABASE_URL: `pglite:${dir}`, DATA_DIR: "/nonexistent" });

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "owner-thread-"));
});
afterEach(async () => {
  await closeEmbedded(dir);
  await rm(dir, { recursive: true, force: true });
});

async function socketRows(sql: string): Promise<unknown[]> {
  const access = knownEmbeddedAccess(dir);
  if (access?.kind !== "client") throw new Error("no client access");
  const client = new pg.Client(embeddedClientConfig(access.socketDir));
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("the embedded database's own thread", () => {
  it("owns the folder for this process and serves it on the socket; this thread migrates and queries through it; closing releases the folder", async () => {
    const onLost = vi.fn();
    await startPgliteOwnerThread(dir, "test owner thread", onLost);
    const access = knownEmbeddedAccess(dir);
    expect(access?.kind).toBe("client");
    const owner = readLiveOwner(dir);
    expect(owner).toMatchObject({ pid: process.pid, command: "test owner thread" });
    expect(owner?.socketPath).toBe(path.join(access!.kind === "client" ? access!.socketDir : "", ".s.PGSQL.5432"));
    // The lock names the thread too: this thread asking for the folder is told of its owner, never handed the lock.
    expect(owner?.threadId).toBeGreaterThan(0);
    expect(tryAcquireDataDirLock(dir, "this thread")).toEqual({ owner });

    expect(await migrateDatabase(config())).toEqual(listMigrationNames());
    const db = newPrismaClient(databaseTarget(config()), 4);
    try {
      await db.user.create({ data: { email: "thread@example.com", name: "Thread" } });
      // Prisma's queries and the direct statements (node-postgres on the socket) see the same rows.
      const rows = await queryRows<{ email: string; createdAt: Date }>(Prisma.sql`SELECT email, "createdAt" FROM "User"`, db);
      expect(rows).toEqual([{ email: "thread@example.com", createdAt: expect.any(Date) }]);
      expect(await db.user.count()).toBe(1);
    } finally {
      await db.$disconnect();
    }
    expect(await socketRows(`SELECT email FROM "User"`)).toEqual([{ email: "thread@example.com" }]);

    const closing = closeEmbedded(dir);
    // Still reached through the thread while it closes: nothing here may open the folder meanwhile.
    expect(knownEmbeddedAccess(dir)?.kind).toBe("client");
    await closing;
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    expect(knownEmbeddedAccess(dir)).toBeUndefined();
    expect(onLost).not.toHaveBeenCalled();

    // Opened again by a new thread, with what the first one stored.
    await startPgliteOwnerThread(dir, "test owner thread", onLost);
    expect(await socketRows(`SELECT email FROM "User"`)).toEqual([{ email: "thread@example.com" }]);
  });

  it("keeps this process's rate limits in the database's table, through the socket, as on PostgreSQL", async () => {
    await startPgliteOwnerThread(dir, "test owner thread", () => {});
    await migrateDatabase(config());
    const before = { url: process.env.DATABASE_URL, store: (globalThis as Record<symbol, unknown>)[Symbol.for("kling-portal.limiter-store")] };
    process.env.DATABASE_URL = `pglite:${dir}`;
    resetConfig();
    delete (globalThis as Record<symbol, unknown>)[Symbol.for("kling-portal.limiter-store")];
    const store = configuredStore();
    try {
      await store.ready;
      expect(store.sqlTable?.()).toBe(`"${LIMITER_TABLE}"`);
      const limiter = store.make({ keyPrefix: "thread-test", points: 2, duration: 60 });
      await limiter.consume("someone");
      await limiter.consume("someone");
      await expect(limiter.consume("someone")).rejects.toMatchObject({ remainingPoints: 0 });
      expect(await socketRows(`SELECT key, points FROM "${LIMITER_TABLE}" WHERE key = 'thread-test:someone'`)).toEqual([
        { key: "thread-test:someone", points: 3 },
      ]);
    } finally {
      await (store as unknown as { close(): Promise<void> }).close();
      process.env.DATABASE_URL = before.url;
      resetConfig();
      (globalThis as Record<symbol, unknown>)[Symbol.for("kling-portal.limiter-store")] = before.store;
    }
  });

  it("counts limits from several connections at once: statements go unnamed in PGlite's one session", async () => {
    await startPgliteOwnerThread(dir, "test owner thread", () => {});
    await migrateDatabase(config());
    const access = knownEmbeddedAccess(dir);
    if (access?.kind !== "client") throw new Error("no client access");
    // Two stores (a portal's and an admin command's, say), each a pool of two connections.
    const stores = [postgresStore({ socketDir: access.socketDir }), postgresStore({ socketDir: access.socketDir })];
    try {
      await Promise.all(stores.map((s) => s.ready));
      const limiters = stores.map((s) => s.make({ keyPrefix: "parallel", points: 1000, duration: 60 }));
      await Promise.all(limiters.flatMap((l) => Array.from({ length: 20 }, () => Promise.all([l.consume("k"), l.get("k")]))));
      // Every point reached the table: none fell back to the in-memory insurance limiter.
      expect(await socketRows(`SELECT points FROM "${LIMITER_TABLE}" WHERE key = 'parallel:k'`)).toEqual([{ points: 40 }]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it("refuses a folder that another live process owns, naming it, and settles no access", async () => {
    const other: Owner = {
      pid: process.ppid,
      hostname: os.hostname(),
      command: "npm start",
      startedAt: new Date().toISOString(),
      socketPath: null,
    };
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(other));
    const refused = await startPgliteOwnerThread(dir, "test owner thread", () => {}).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(DatabaseInUseError);
    expect((refused as DatabaseInUseError).owner.pid).toBe(process.ppid);
    expect(knownEmbeddedAccess(dir)).toBeUndefined();
    expect(readLiveOwner(dir)?.pid).toBe(process.ppid);
  });

  it("refuses a second thread for a folder this process already reaches", async () => {
    await startPgliteOwnerThread(dir, "test owner thread", () => {});
    await expect(startPgliteOwnerThread(dir, "test owner thread", () => {})).rejects.toThrow(/already reaches/);
    expect(await socketRows("SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });

  it("reports a thread that ends on its own: nothing could reach the database afterwards", async () => {
    const lost = new Promise<Error>((resolve) => {
      void startPgliteOwnerThread(dir, "test owner thread", resolve).then((worker) => worker.terminate());
    });
    expect((await lost).message).toMatch(/thread exited/);
  });
});
