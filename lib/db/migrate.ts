// Applies prisma/migrations without Prisma's native engine, through the same
// schema engine compiled to WebAssembly, and records them in _prisma_migrations
// exactly as `prisma migrate deploy` would.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { loadPrismaPGlite, openPGlite } from "./pglite-modules";
import type { SchemaEngine, MigrationList } from "@prisma/schema-engine-wasm";

// Every entry point (npm scripts, Next.js, tests) runs from the project root.
const root = process.cwd();
export const schemaPath = path.join(root, "prisma", "schema.prisma");
export const migrationsDir = path.join(root, "prisma", "migrations");
const filters = { externalTables: [], externalEnums: [] };

let engineModule: Promise<typeof import("@prisma/schema-engine-wasm")> | undefined;

// The package's entry point imports the .wasm file as an ES module, which Node
// cannot do without flags; instantiate it by hand instead.
async function loadEngine() {
  engineModule ??= (async () => {
    const require = createRequire(import.meta.url);
    const bgPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const bg = await import("@prisma/schema-engine-wasm/schema_engine_bg");
    const wasm = await readFile(path.join(path.dirname(bgPath), "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(wasm, { "./schema_engine_bg.js": bg as never });
    const exports = instance.exports as Record<string, unknown> & { __wbindgen_start?: () => void };
    (bg as unknown as { __wbg_set_wasm(e: unknown): void }).__wbg_set_wasm(exports);
    exports.__wbindgen_start?.();
    return bg as unknown as typeof import("@prisma/schema-engine-wasm");
  })();
  return engineModule;
}

export function listMigrationNames(): string[] {
  return existsSync(migrationsDir)
    ? readdirSync(migrationsDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
}

/** The committed migrations, or only those named (a restore rebuilds the schema its backup had). */
export function readMigrations(only?: string[]): MigrationList {
  const dirs = only ? listMigrationNames().filter((name) => only.includes(name)) : listMigrationNames();
  const lockPath = path.join(migrationsDir, "migration_lock.toml");
  return {
    baseDir: migrationsDir,
    lockfile: { path: "migration_lock.toml", content: existsSync(lockPath) ? readFileSync(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: dirs.map((name) => ({
      path: name,
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok" as const, value: readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8") },
      },
    })),
  };
}

async function withEngine<T>(factory: SqlMigrationAwareDriverAdapterFactory, run: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const { SchemaEngine } = await loadEngine();
  const datamodel = readFileSync(schemaPath, "utf8");
  const log = () => {};
  const engine = await SchemaEngine.new({ datamodels: [[schemaPath, datamodel]] }, log, bindMigrationAwareSqlAdapterFactory(factory));
  try {
    return await run(engine);
  } finally {
    engine.free();
  }
}

/** Whether this process has loaded the schema engine (tests: an up-to-date database must not need it). */
export const schemaEngineLoaded = () => engineModule !== undefined;

/**
 * The committed migrations a database lacks, read with two plain queries: null
 * when only the engine can tell (no migrations table yet, or one that failed or
 * was rolled back, which the engine reports or retries as `migrate deploy` does).
 */
export async function pendingMigrationNames(factory: SqlMigrationAwareDriverAdapterFactory): Promise<string[] | null> {
  const db = await factory.connect();
  try {
    const query = async (sql: string) => (await db.queryRaw({ sql, args: [], argTypes: [] })).rows;
    const [[table]] = await query("SELECT to_regclass('_prisma_migrations')::text");
    if (!table) return null;
    const rows = await query("SELECT migration_name, finished_at IS NOT NULL, rolled_back_at IS NOT NULL FROM _prisma_migrations");
    if (rows.some(([, finished, rolledBack]) => !finished || rolledBack)) return null;
    const applied = new Set(rows.map(([name]) => name));
    return listMigrationNames().filter((name) => !applied.has(name));
  } finally {
    await db.dispose();
  }
}

/** Applies every pending migration (or only those named); returns the names applied. */
export async function applyMigrations(factory: SqlMigrationAwareDriverAdapterFactory, only?: string[]): Promise<string[]> {
  return withEngine(factory, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList: readMigrations(only), filters });
    return out.appliedMigrationNames;
  });
}

/** The SQL that takes the committed migrations to the current schema; empty when none is needed. */
export async function diffSchemaAgainstMigrations(): Promise<string> {
  // An in-memory PGlite is the shadow database, so authoring needs no server.
  const shadow = openPGlite("memory://");
  try {
    return await withEngine(new (loadPrismaPGlite())(shadow), async (engine) => {
      const result = await engine.diff({
        from: { tag: "migrations", ...readMigrations() },
        to: { tag: "schemaDatamodel", files: [{ path: schemaPath, content: readFileSync(schemaPath, "utf8") }] },
        script: true,
        exitCode: null,
        filters,
      });
      const sql = result.stdout ?? "";
      return /^\s*(--.*\n?)*\s*$/.test(sql) || sql.includes("This is an empty migration") ? "" : sql;
    });
  } finally {
    await shadow.close();
  }
}
