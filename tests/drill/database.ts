// The drill's view of the portal's database: a fresh PostgreSQL schema per
// drill (dropped afterwards), and one reader of task rows for either engine.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { stripSchemaParam } from "../../lib/db/adapter";
import { migrateDatabase } from "../../lib/db/migrate-database";

export type DrillDb = { kind: "pglite" } | { kind: "postgres"; url: string; schema: string };

export type TaskRow = {
  id: string;
  userId: string;
  status: string;
  statusMsg: string;
  callbackSecret: string;
  upstreamTaskId: string | null;
  provider: string;
  n: number;
  images: number;
};

const TASKS_SQL = `SELECT t.id, t."userId", t.status::text AS status, t."statusMsg", t."callbackSecret", t."upstreamTaskId", t.provider, t.n,
  (SELECT count(*)::int FROM "TaskImage" i WHERE i."taskId" = t.id) AS images
  FROM "Task" t`;

export function assertLocalUrl(url: string): void {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) throw new Error(`TEST_DATABASE_URL must point at a local server, not ${host}`);
}

export async function createPostgresSchema(baseUrl: string): Promise<DrillDb & { kind: "postgres" }> {
  assertLocalUrl(baseUrl);
  const schema = `drill_${randomBytes(5).toString("hex")}`;
  const u = new URL(baseUrl);
  u.searchParams.set("schema", schema);
  // As a deploy does: `npm run db:migrate` once, before any instance starts (instances on PostgreSQL do not migrate).
  await migrateDatabase({ DATABASE_URL: u.toString(), DATA_DIR: "/nonexistent" });
  return { kind: "postgres", url: u.toString(), schema };
}

export async function dropPostgresSchema(db: DrillDb & { kind: "postgres" }): Promise<void> {
  const u = new URL(db.url);
  u.searchParams.delete("schema");
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${db.schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Every task row with its stored image count. The one place that knows how to
 * reach each engine: PostgreSQL directly; PGlite through the socket a running
 * portal serves it on (lib/db/data-dir-lock.ts), or by opening the folder
 * itself when no portal owns it (the caller has stopped the portal).
 */
export async function readTaskRows(db: DrillDb, dataDir: string): Promise<TaskRow[]> {
  if (db.kind === "postgres") return queryPg(stripSchemaParam(db.url));
  const pgliteDir = path.join(dataDir, "pglite");
  const socket = await liveSocket(pgliteDir);
  if (socket) return queryPg({ host: path.dirname(socket), port: 5432, user: "postgres", database: "postgres" });
  const lite = new PGlite(pgliteDir);
  try {
    return (await lite.query<TaskRow>(TASKS_SQL)).rows;
  } finally {
    await lite.close();
  }
}

/** Whether rows can be read while the portal runs (PostgreSQL, or PGlite served on a live socket). */
export async function liveReadable(db: DrillDb, dataDir: string): Promise<boolean> {
  return db.kind === "postgres" || !!(await liveSocket(path.join(dataDir, "pglite")));
}

async function queryPg(conn: string | pg.ClientConfig): Promise<TaskRow[]> {
  const client = new pg.Client(typeof conn === "string" ? { connectionString: conn } : conn);
  await client.connect();
  try {
    return (await client.query<TaskRow>(TASKS_SQL)).rows;
  } finally {
    await client.end();
  }
}

/** The live owner's socket, when the lock module that serves it exists in this tree. */
async function liveSocket(pgliteDir: string): Promise<string | null> {
  let mod: { readLiveOwner?: (dir: string) => { socketPath?: string | null } | null | Promise<{ socketPath?: string | null } | null> };
  try {
    mod = await import("../../lib/db/data-dir-lock" as string);
  } catch {
    return null;
  }
  const owner = await mod.readLiveOwner?.(pgliteDir);
  return owner?.socketPath ?? null;
}
