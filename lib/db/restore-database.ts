// Restores a backup into a stopped embedded database folder: builds a fresh
// PGlite folder beside it (the backup's migrations, then its rows), then swaps
// it in and keeps the old folder under a timestamped name, never deleting it.
import { createReadStream, existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import type { PGlite } from "@electric-sql/pglite";
import { loadPrismaPGlite, openPGlite } from "./pglite-modules";
import { backupHeaderSchema, backupRowSchema, backupTrailerSchema, quoteIdent, type BackupHeader } from "./backup-format";
import { LOCK_FILE, tryAcquireDataDirLock } from "./data-dir-lock";
import { DatabaseInUseError } from "./embedded-access";
import { applyMigrations, listMigrationNames } from "./migrate";

const BATCH = 500;
const COMMAND = "npm run db:restore";

export type RestoreSummary = { migrations: string[]; rows: Record<string, number>; movedAside: string | null };

export async function restoreDatabase(file: string, dir: string): Promise<RestoreSummary> {
  if (!existsSync(file)) throw new Error(`No backup file at ${file}`);
  // Held for the whole restore: a portal starting meanwhile refuses, naming this command.
  const held = tryAcquireDataDirLock(dir, COMMAND);
  if ("owner" in held) throw new DatabaseInUseError(dir, held.owner, "stop it before restoring");
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const staging = `${dir}.restoring-${stamp}`;
  const stagingLock = tryAcquireDataDirLock(staging, COMMAND);
  if ("owner" in stagingLock) throw new DatabaseInUseError(staging, stagingLock.owner, "another restore is running");
  try {
    let summary: Awaited<ReturnType<typeof loadInto>>;
    try {
      summary = await loadInto(file, staging);
    } catch (err) {
      rmSync(staging, { recursive: true, force: true }); // Only our own half-built copy.
      throw err;
    }
    return { ...summary, movedAside: swapIn(dir, staging, stamp) };
  } finally {
    stagingLock.lock.release();
    held.lock.release();
  }
}

async function loadInto(file: string, staging: string) {
  const db = openPGlite(staging);
  try {
    const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity })[Symbol.asyncIterator]();
    const header = parseHeader(file, await lines.next());
    const migrations = await applyMigrations(new (loadPrismaPGlite())(db), header.migrations);
    const rows: Record<string, number> = Object.fromEntries(header.tables.map((t) => [t, 0]));
    let expected: Record<string, number> | null = null;
    await db.transaction(async (tx) => {
      // Tables load in file order, not foreign-key order: the source database already checked those keys.
      await tx.exec("SET LOCAL session_replication_role = replica");
      const batch: { table: string; rows: unknown[] } = { table: "", rows: [] };
      const flush = async () => {
        if (!batch.rows.length) return;
        await tx.query(`INSERT INTO ${quoteIdent(batch.table)} SELECT * FROM json_populate_recordset(NULL::${quoteIdent(batch.table)}, $1::json)`, [
          JSON.stringify(batch.rows),
        ]);
        batch.rows = [];
      };
      for (let next = await lines.next(); !next.done; next = await lines.next()) {
        if (!next.value.trim()) continue;
        const value = parseLine(file, next.value);
        if ("end" in value) {
          expected = value.rows;
          break;
        }
        if (!(value.table in rows)) throw new Error(`${file} has rows for table ${value.table}, which its header does not list`);
        if (batch.table !== value.table || batch.rows.length >= BATCH) await flush();
        batch.table = value.table;
        batch.rows.push(value.row);
        rows[value.table]++;
      }
      await flush();
      if (!expected) throw new Error(`${file} is incomplete (no end line): the backup was cut short`);
      for (const [table, n] of Object.entries(expected as Record<string, number>)) {
        if (rows[table] !== n) throw new Error(`${file} is damaged: table ${table} should have ${n} rows, it has ${rows[table] ?? 0}`);
      }
      await resetSequences(tx);
    });
    return { migrations, rows };
  } finally {
    await db.close();
  }
}

function parseHeader(file: string, first: IteratorResult<string>): BackupHeader {
  let header: unknown;
  try {
    header = JSON.parse(first.done ? "" : first.value);
  } catch {
    throw new Error(`${file} is not a Kling Portal backup (no header line)`);
  }
  const parsed = backupHeaderSchema.safeParse(header);
  if (!parsed.success)
    throw new Error(
      `${file} is not a Kling Portal backup of a version this portal reads (format ${JSON.stringify((header as { format?: unknown })?.format)}, version ${JSON.stringify((header as { version?: unknown })?.version)})`,
    );
  const known = new Set(listMigrationNames());
  const unknown = parsed.data.migrations.filter((m) => !known.has(m));
  if (unknown.length)
    throw new Error(`${file} comes from a newer portal: migration(s) ${unknown.join(", ")} are not in prisma/migrations; update the portal first`);
  return parsed.data;
}

function parseLine(file: string, line: string) {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`${file} is damaged: a line is not JSON`);
  }
  const trailer = backupTrailerSchema.safeParse(value);
  if (trailer.success) return trailer.data;
  const row = backupRowSchema.safeParse(value);
  if (!row.success) throw new Error(`${file} is damaged: a line is neither a row nor the end line`);
  return row.data;
}

// Serial and identity columns continue after the highest restored value.
async function resetSequences(tx: { query: PGlite["query"] }) {
  const { rows } = await tx.query<{ table_name: string; column_name: string; seq: string }>(
    `SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) AS seq
       FROM information_schema.columns
      WHERE table_schema = current_schema() AND pg_get_serial_sequence(quote_ident(table_name), column_name) IS NOT NULL`,
  );
  for (const r of rows) {
    await tx.query(`SELECT setval($1, COALESCE((SELECT max(${quoteIdent(r.column_name)}) FROM ${quoteIdent(r.table_name)}), 0) + 1, false)`, [r.seq]);
  }
}

/** Puts the restored folder in place; returns where the previous one went (null when there was none). */
function swapIn(dir: string, staging: string, stamp: string): string | null {
  const previous = readdirSync(dir).filter((name) => name !== LOCK_FILE);
  let aside: string | null = null;
  if (previous.length) {
    aside = `${dir}.before-restore-${stamp}`;
    renameSync(dir, aside);
    rmSync(`${aside}/${LOCK_FILE}`, { force: true }); // Our own lock, moved along with the folder.
  } else {
    rmSync(dir, { recursive: true, force: true }); // Holds nothing but our lock.
  }
  try {
    renameSync(staging, dir);
  } catch (err) {
    throw new Error(
      `Could not move the restored database into ${dir} (${(err as Error).message}); it is complete at ${staging}${aside ? `, the previous one at ${aside}` : ""}`,
    );
  }
  return aside;
}
