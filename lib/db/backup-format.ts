// The embedded database's backup file: gzip'd JSON lines. A header (format,
// version, time, the applied migrations), one line per row, and a trailer with
// each table's row count, so a truncated file is told from a complete one.
import { z } from "zod";

export const BACKUP_FORMAT = "kling-portal-backup";
export const BACKUP_VERSION = 1;

export const backupHeaderSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION),
  createdAt: z.string(),
  migrations: z.array(z.string()),
  tables: z.array(z.string()),
});
export type BackupHeader = z.infer<typeof backupHeaderSchema>;

export const backupRowSchema = z.object({ table: z.string(), row: z.record(z.string(), z.unknown()) });

export const backupTrailerSchema = z.object({ end: z.literal(true), rows: z.record(z.string(), z.number().int()) });

/** A row line, built from the database's own JSON text so no value is re-encoded. */
export const rowLine = (table: string, rowJson: string) => `{"table":${JSON.stringify(table)},"row":${rowJson}}\n`;

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
