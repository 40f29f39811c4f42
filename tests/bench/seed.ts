// The bench's data, written straight into the portal's database in a few set-based
// statements (generate_series), so a million rows take seconds, not hours:
// filler users and tasks, a user with 10,000 tasks spread among them, a user
// with exactly one page of 24 tasks (each with an image), a task that receives
// callbacks, and 9 cards in progress for the live page.
import path from "node:path";
import pg from "pg";
import { stripSchemaParam } from "../../lib/db/adapter";
import { readLiveOwner } from "../../lib/db/data-dir-lock";
import { plainPageSql } from "../../lib/tasks/list-tasks";

export type BenchDb = { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };

/** A plain SQL client on the portal's database: PostgreSQL directly, PGlite through its running owner's socket. */
export async function sqlClient(db: BenchDb): Promise<pg.Client> {
  let client: pg.Client;
  if (db.kind === "postgres") {
    client = new pg.Client({ connectionString: stripSchemaParam(db.url) });
  } else {
    const owner = readLiveOwner(path.join(db.dataDir, "pglite"));
    if (!owner?.socketPath) throw new Error("the portal does not serve its embedded database on a socket");
    client = new pg.Client({ host: path.dirname(owner.socketPath), port: 5432, user: "postgres", database: "postgres" });
  }
  await client.connect();
  return client;
}

export const CALLBACK_SECRET = "benchCallbackSecret0123456789";
export const CALLBACK_UPSTREAM_ID = "bench-callback-task";
export const LIVE_CARDS = 9;
export const liveSecret = (i: number) => `benchLiveSecret${String(i).padStart(4, "0")}xyz`;
export const liveUpstreamId = (i: number) => `bench-live-${i}`;

const FILLER_USERS = 99;
const SEED_BATCH = 50_000;

export async function userId(sql: pg.Client, email: string): Promise<string> {
  const { rows } = await sql.query<{ id: string }>(`SELECT id FROM "User" WHERE email = $1`, [email]);
  if (!rows[0]) throw new Error(`no user ${email}`);
  return rows[0].id;
}

/**
 * `rows` tasks in all: every 100th (10,000 of 1,000,000) belongs to `historyUser`,
 * newest first interleaved with everyone else's; the page user gets exactly 24.
 */
export async function seedHistory(sql: pg.Client, opts: { rows: number; historyUser: string; pageUser: string; liveUser: string }) {
  const { rows, historyUser, pageUser, liveUser } = opts;
  await sql.query(
    `INSERT INTO "User" (id, email, "updatedAt")
     SELECT 'bench-filler-' || g, 'filler' || g || '@bench.invalid', now() FROM generate_series(1, ${FILLER_USERS}) g`,
  );
  // Final tasks only: the reconciler has nothing to do with them. In statements of at most
  // SEED_BATCH rows: until a statement ends, PostgreSQL holds each row's pending trigger events
  // and change notification in memory, and inside PGlite that memory (WebAssembly's) is never
  // given back, so one statement of a million rows left the portal ~180 MB larger for the rest
  // of the run, from a write the portal itself never makes (README, Performance).
  for (let from = 1; from <= rows; from += SEED_BATCH) {
    await sql.query(
      `INSERT INTO "Task" (id, "userId", prompt, provider, "callbackSecret", status, "deadlineAt", "createdAt", "updatedAt", "finishedAt", "archivedAt")
       SELECT 'bseed' || lpad(g::text, 8, '0'),
              CASE WHEN g % 100 = 0 THEN $1 ELSE 'bench-filler-' || (g % ${FILLER_USERS} + 1) END,
              'seeded prompt ' || g || ': a lighthouse on a cliff at dawn, volumetric light',
              'appypie', 'bseedsecret' || g, 'succeed', now(),
              now() - g * interval '1 second', now(), now(), now()
       FROM generate_series($2::int, $3::int) g`,
      [historyUser, from, Math.min(rows, from + SEED_BATCH - 1)],
    );
  }
  await sql.query(
    `INSERT INTO "Task" (id, "userId", prompt, provider, "callbackSecret", status, "deadlineAt", "createdAt", "updatedAt", "finishedAt", "archivedAt")
     SELECT 'bpage' || lpad(g::text, 4, '0'), $1, 'page prompt ' || g || ': a red fox in fresh snow', 'appypie', 'bpagesecret' || g,
            'succeed', now(), now() - g * interval '1 minute', now(), now(), now()
     FROM generate_series(1, 24) g`,
    [pageUser],
  );
  // One image per task of the two history users (the rows only: nothing reads the files here).
  await sql.query(
    `INSERT INTO "TaskImage" (id, "taskId", index, "upstreamUrl", "storageKey", "thumbKey", "contentType", bytes, width, height, sha256)
     SELECT 'bimg' || t.id, t.id, 0, 'http://127.0.0.1:9/none.png', 'images/' || t.id || '/0.png', 'images/' || t.id || '/0.webp',
            'image/png', 123456, 1024, 576, repeat('0', 64)
     FROM "Task" t WHERE t."userId" IN ($1, $2)`,
    [historyUser, pageUser],
  );
  // Upstream callbacks land on this one (already processing: the common "no change" case).
  await sql.query(
    `INSERT INTO "Task" (id, "userId", prompt, provider, "callbackSecret", status, "upstreamTaskId", "deadlineAt", "nextCheckAt", "updatedAt")
     VALUES ('bcallback', 'bench-filler-1', 'callback target', 'appypie', $1, 'processing', $2, now() + interval '1 day', now() + interval '1 day', now())`,
    [CALLBACK_SECRET, CALLBACK_UPSTREAM_ID],
  );
  // Cards in progress that nothing but a callback moves (the reconciler's next check is a day away).
  await sql.query(
    `INSERT INTO "Task" (id, "userId", prompt, provider, "callbackSecret", status, "upstreamTaskId", "deadlineAt", "nextCheckAt", "createdAt", "updatedAt")
     SELECT 'blive' || g, $1, 'live card ' || g, 'appypie', 'benchLiveSecret' || lpad(g::text, 4, '0') || 'xyz', 'submitted', 'bench-live-' || g,
            now() + interval '1 day', now() + interval '1 day', now() - g * interval '1 second', now()
     FROM generate_series(0, ${LIVE_CARDS - 1}) g`,
    [liveUser],
  );
  // Now rather than by autovacuum in the middle of a later measurement.
  await sql.query(`VACUUM ANALYZE "Task"`);
  await sql.query(`VACUUM ANALYZE "TaskImage"`);
}

/** The plans of the history page's queries, as the portal runs them for this user. */
export async function explainHistory(sql: pg.Client, user: string): Promise<string[]> {
  const page = plainPageSql(user, 25, null);
  const plan = async (q: string, params: unknown[]) =>
    (await sql.query<{ "QUERY PLAN": string }>(`EXPLAIN ${q}`, params)).rows.map((r) => r["QUERY PLAN"]).join("\n");
  return [
    await plan(`SELECT id, email, name FROM "User" WHERE id = $1 LIMIT 1`, [user]),
    // The page's one query, exactly as the portal sends it (lib/tasks/list-tasks.ts): a page of tasks, each with its images.
    await plan(page.text, page.values),
    // The history's size and the month's usage (the header's meter): one row each, kept by triggers.
    await plan(`SELECT tasks, images FROM "UserTotals" WHERE "userId" = $1 LIMIT 1`, [user]),
    await plan(`SELECT used, granted FROM "UsageTotals" WHERE "userId" = $1 AND "periodStart" = date_trunc('month', now() AT TIME ZONE 'UTC') LIMIT 1`, [user]),
  ];
}

/** Ends whatever a load phase left in flight, so later phases are not measured against its background work. */
export async function settleTasksOf(sql: pg.Client, user: string): Promise<void> {
  await sql.query(
    // Rows locked in id order, as the portal's grouped writes lock theirs (lib/tasks/mark-submitted.ts): submits
    // still finishing after the load cannot deadlock with this.
    `UPDATE "Task" t SET status = 'failed', "statusMsg" = 'bench: ended after the load phase', "finishedAt" = now(), "leaseUntil" = NULL, "leaseOwner" = NULL
     FROM (SELECT id FROM "Task" WHERE "userId" = $1 AND status IN ('queued', 'submitted', 'processing') ORDER BY id FOR UPDATE) s
     WHERE t.id = s.id AND t.status IN ('queued', 'submitted', 'processing')`,
    [user],
  );
}
