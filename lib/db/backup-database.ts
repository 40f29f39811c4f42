// Writes a backup of the embedded database: every table's rows read in one
// snapshot, a page at a time through a cursor so memory stays bounded, into a
// temporary file renamed into place only once complete.
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { BACKUP_FORMAT, BACKUP_VERSION, quoteIdent, rowLine, type BackupHeader } from "./backup-format";
import type { EmbeddedAccess } from "./embedded-access";
import { withSnapshot, type SqlReader } from "./snapshot-source";
import { LIMITER_TABLE } from "../rate-limit/limiter-store";

const PAGE = 500;

export type BackupSummary = { file: string; migrations: string[]; rows: Record<string, number> };

export async function backupDatabase(access: EmbeddedAccess, file: string): Promise<BackupSummary> {
  const partial = `${file}.partial`;
  const rows: Record<string, number> = {};
  let migrations: string[] = [];
  try {
    await withSnapshot(access, async (sql) => {
      const header = await readHeader(sql);
      migrations = header.migrations;
      await pipeline(Readable.from(lines(sql, header, rows)), createGzip(), createWriteStream(partial));
    });
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return { file, migrations, rows };
}

async function readHeader(sql: SqlReader): Promise<BackupHeader> {
  const migrations = await sql.query<{ migration_name: string }>(
    `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
  );
  // Not the rate limiters' table: rate-limiter-flexible makes it outside the migrations, so a restored database
  // (migrated afresh) has none, and it holds only counts that expire within minutes.
  const tables = await sql.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT IN ('_prisma_migrations', $1)
      ORDER BY table_name`,
    [LIMITER_TABLE],
  );
  return {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    createdAt: new Date().toISOString(),
    migrations: migrations.map((m) => m.migration_name),
    tables: tables.map((t) => t.table_name),
  };
}

async function* lines(sql: SqlReader, header: BackupHeader, rows: Record<string, number>) {
  yield `${JSON.stringify(header)}\n`;
  for (const table of header.tables) {
    rows[table] = 0;
    await sql.query(`DECLARE backup_rows NO SCROLL CURSOR FOR SELECT to_json(t)::text AS row FROM ${quoteIdent(table)} t`);
    for (;;) {
      const page = await sql.query<{ row: string }>(`FETCH ${PAGE} FROM backup_rows`);
      if (!page.length) break;
      rows[table] += page.length;
      yield page.map((r) => rowLine(table, r.row)).join("");
    }
    await sql.query("CLOSE backup_rows");
  }
  yield `${JSON.stringify({ end: true, rows })}\n`;
}
