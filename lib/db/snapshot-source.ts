// One consistent read of the embedded database for a backup: a REPEATABLE READ
// transaction, in-process when this process owns the folder, otherwise on one
// connection to the running owner's socket (which keeps the session meanwhile).
import pg from "pg";
import { embeddedClientConfig } from "./adapter";
import type { EmbeddedAccess } from "./embedded-access";

export type SqlReader = { query<T>(sql: string, params?: unknown[]): Promise<T[]> };

export async function withSnapshot<T>(access: EmbeddedAccess, read: (sql: SqlReader) => Promise<T>): Promise<T> {
  if (access.kind === "owner") {
    return access.db.transaction(async (tx) => {
      await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
      return read({ query: async <R>(sql: string, params?: unknown[]) => (await tx.query<R>(sql, params)).rows });
    });
  }
  const client = new pg.Client(embeddedClientConfig(access.socketDir));
  await client.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const result = await read({ query: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[] });
    await client.query("COMMIT");
    return result;
  } finally {
    await client.end();
  }
}
