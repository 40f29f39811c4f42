// Chooses the Prisma driver adapter: PostgreSQL for a postgres:// URL, embedded
// PGlite otherwise. One schema serves both.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { Config } from "../config";

export type DatabaseTarget =
  | { kind: "postgres"; url: string; schema?: string }
  | { kind: "pglite"; dataDir: string | null };

export function databaseTarget(config: Pick<Config, "DATABASE_URL" | "DATA_DIR">): DatabaseTarget {
  const url = config.DATABASE_URL;
  if (url?.startsWith("pglite:")) {
    const where = url.slice("pglite:".length);
    return { kind: "pglite", dataDir: where === "memory" || where === "" ? null : path.resolve(where) };
  }
  if (url) {
    const schema = new URL(url).searchParams.get("schema") ?? undefined;
    return { kind: "postgres", url, schema };
  }
  return { kind: "pglite", dataDir: path.join(config.DATA_DIR, "pglite") };
}

// PGlite is single-process and single-connection: one instance per data folder
// for the whole process, shared by the app, the migrator and the reconciler.
const pgliteKey = Symbol.for("kling-portal.pglite");
type PgliteHolder = { [pgliteKey]?: Map<string, PGlite> };

export function openPglite(dataDir: string | null): PGlite {
  const g = globalThis as PgliteHolder;
  const map = (g[pgliteKey] ??= new Map());
  const key = dataDir ?? "memory://";
  let db = map.get(key);
  if (!db) {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    db = new PGlite(dataDir ?? "memory://");
    map.set(key, db);
  }
  return db;
}

export async function closePglite(dataDir: string | null): Promise<void> {
  const g = globalThis as PgliteHolder;
  const key = dataDir ?? "memory://";
  const db = g[pgliteKey]?.get(key);
  g[pgliteKey]?.delete(key);
  if (db && !db.closed) await db.close();
}

export function createAdapterFactory(target: DatabaseTarget, poolSize = 10) {
  if (target.kind === "postgres") {
    return new PrismaPg(
      { connectionString: stripSchemaParam(target.url), max: poolSize },
      target.schema ? { schema: target.schema } : undefined,
    );
  }
  return new PrismaPGlite(openPglite(target.dataDir));
}

/** node-postgres does not understand Prisma's `?schema=`; it becomes the search_path instead. */
export function stripSchemaParam(url: string): string {
  const u = new URL(url);
  const schema = u.searchParams.get("schema");
  u.searchParams.delete("schema");
  if (schema) u.searchParams.set("options", `-c search_path="${schema}"`);
  return u.toString();
}
