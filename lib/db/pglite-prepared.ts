// The direct statements on the embedded database as named prepared statements,
// as node-postgres runs them on PostgreSQL (direct-pool.ts). PGlite's query()
// parses, describes and plans its statement on every call, in six calls into
// the database: for the history list that was about 1.9 ms a query, against
// 1.0–1.2 ms as a statement parsed once, bound and run in one call.
// The statement is parsed and described once per database and text; each run
// is Bind, Describe, Execute and Sync in one message, under the owner's session
// lock (locked-pglite.ts) and PGlite's own locks, so it never lands inside
// another caller's transaction: the app's, or a socket client's (npm run worker).
import type { PGlite } from "@electric-sql/pglite";
import { underSessionLock } from "./locked-pglite";
import { loadPGliteProtocol } from "./pglite-modules";

type Prepared = { name: string; paramTypes: number[] };
type Parsers = Record<number, (text: string) => unknown>;
/** Per database: its statements by text, the next name's number, and its parsers merged with each caller's. */
type Statements = { byText: Map<string, Promise<Prepared>>; next: number; parsers: Map<Parsers, Parsers> };

/** Distinct texts kept per database; past it a statement runs unnamed (a query with a varying IN list, say). */
const MAX_STATEMENTS = 1000;
// Statements the database no longer has as prepared: 26000 after a DEALLOCATE or DISCARD, 0A000 "cached
// plan must not change result type" after a table's columns changed under it.
const STALE = new Set(["26000", "0A000"]);

// Per PGlite instance (a restored or reopened database starts with none), on globalThis: Next.js bundles and
// the server's own modules each load this file, and their statements share the database's one session.
const statementsKey = Symbol.for("kling-portal.pglite-statements");
type Holder = { [statementsKey]?: WeakMap<PGlite, Statements> };
const statements = ((globalThis as Holder)[statementsKey] ??= new WeakMap());

/** Rows of `text` with `values`, as PGlite's query() would answer them with these `parsers`. */
export async function preparedRows<T>(db: PGlite, text: string, values: unknown[], parsers: Parsers): Promise<T[]> {
  let known = statements.get(db);
  if (!known) statements.set(db, (known = { byText: new Map(), next: 0, parsers: new Map() }));
  const prepared = known.byText.get(text) ?? (known.byText.size < MAX_STATEMENTS ? named(db, known, text) : null);
  if (!prepared) return (await db.query<T>(text, values, { parsers })).rows;
  try {
    return await run<T>(db, known, await prepared, values, parsers);
  } catch (err) {
    if (!STALE.has((err as { code?: string }).code ?? "")) throw err;
    // Prepared again under a new name (the old one may still exist with its old plan), once.
    return run<T>(db, known, await named(db, known, text), values, parsers);
  }
}

/** The statement prepared under a new name, shared by the callers that need it meanwhile; forgotten if it fails. */
function named(db: PGlite, known: Statements, text: string): Promise<Prepared> {
  const prepared = prepare(db, `direct_${known.next++}`, text);
  known.byText.set(text, prepared);
  prepared.catch(() => known.byText.get(text) === prepared && known.byText.delete(text));
  return prepared;
}

async function prepare(db: PGlite, name: string, text: string): Promise<Prepared> {
  const { protocol, parse } = loadPGliteProtocol();
  const { serialize } = protocol;
  const { messages } = await exclusive(db, [serialize.parse({ name, text }), serialize.describe({ type: "S", name }), serialize.sync()]);
  return { name, paramTypes: parse.parseDescribeStatementResults(messages) };
}

async function run<T>(db: PGlite, known: Statements, prepared: Prepared, values: unknown[], parsers: Parsers): Promise<T[]> {
  // Each value as query() sends it: the database's serializer for the parameter's type, else its text.
  const params = values.map((value, i) => {
    if (value === null || value === undefined) return null;
    const toText = db.serializers[prepared.paramTypes[i]!];
    return toText ? toText(value) : String(value);
  });
  const { protocol, parse } = loadPGliteProtocol();
  const { serialize } = protocol;
  const { messages } = await exclusive(db, [
    serialize.bind({ statement: prepared.name, values: params }),
    serialize.describe({ type: "P" }),
    serialize.execute({}),
    serialize.sync(),
  ]);
  // parseResults would merge the caller's parsers into the database's (a hundred or so, one per type and array
  // type) on every call if given them apart: merged once per caller instead. The database's are complete once it is ready.
  let all = known.parsers.get(parsers);
  if (!all) known.parsers.set(parsers, (all = { ...db.parsers, ...parsers }));
  return parse.parseResults(messages, all)[0]!.rows as T[];
}

/** One batch of protocol messages ending in Sync, under the locks query() takes; written through to disk as query() does. */
async function exclusive(db: PGlite, parts: Uint8Array[]) {
  await db._checkReady();
  const message = Buffer.concat(parts);
  // The session lock first, as the owner's locked query() takes it: a socket client's open transaction holds it.
  return underSessionLock(db, () => db._runExclusiveTransaction(() => db._runExclusiveQuery(() => db.execProtocol(message, { syncToFs: true }))));
}
