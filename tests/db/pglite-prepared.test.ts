import type { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openPGlite } from "@/lib/db/pglite-modules";
import { preparedRows } from "@/lib/db/pglite-prepared";

const NO_PARSERS = {};
const statementNames = async (db: PGlite) =>
  (await db.query<{ name: string; statement: string }>("SELECT name, statement FROM pg_prepared_statements ORDER BY name")).rows;

describe("the embedded database's direct statements, prepared", () => {
  let db: PGlite;
  beforeAll(async () => {
    db = openPGlite("memory://");
    await db.exec(`CREATE TABLE item (id int PRIMARY KEY, label text NOT NULL, tags int[], meta jsonb, at timestamp(3));
      INSERT INTO item VALUES (1, 'one', '{1,2}', '{"a":1}', '2026-01-02 03:04:05.678'), (2, 'two', NULL, NULL, NULL)`);
  });
  afterAll(() => db.close());

  it("answers as query() does, each text prepared once under one name and run again by that name", async () => {
    const text = "SELECT id, label, tags, meta, at FROM item WHERE id = ANY($1::int[]) AND label <> $2 ORDER BY id";
    const params = [[1, 2], "none"];
    const expected = (await db.query(text, params)).rows;
    for (let i = 0; i < 3; i++) expect(await preparedRows(db, text, params, NO_PARSERS)).toEqual(expected);
    const named = (await statementNames(db)).filter((s) => s.statement === text);
    expect(named).toHaveLength(1);
    expect(named[0]!.name).toMatch(/^direct_\d+$/);
    // Writes, their returned rows and the values they were given (a jsonb and an array serialized as query() does).
    const inserted = await preparedRows(
      db,
      "INSERT INTO item (id, label, tags, meta) VALUES ($1, $2, $3, $4) RETURNING *",
      [3, "three", [7], { b: [1] }],
      NO_PARSERS,
    );
    expect(inserted).toEqual([{ id: 3, label: "three", tags: [7], meta: { b: [1] }, at: null }]);
    expect(await preparedRows(db, "UPDATE item SET label = $1 WHERE id = $2", ["trois", 3], NO_PARSERS)).toEqual([]);
    expect((await db.query("SELECT label FROM item WHERE id = 3")).rows).toEqual([{ label: "trois" }]);
  });

  it("reads with the caller's parsers, as query() does", async () => {
    const rows = await preparedRows<{ at: unknown }>(db, "SELECT at FROM item WHERE id = $1", [1], { 1114: (text: string) => `parsed ${text}` });
    expect(rows).toEqual([{ at: "parsed 2026-01-02 03:04:05.678" }]);
  });

  it("never gives one name to two statements when two copies of the module run (Next.js bundles and the server each load it)", async () => {
    vi.resetModules();
    const copy = (await import("@/lib/db/pglite-prepared")).preparedRows;
    expect(copy).not.toBe(preparedRows);
    expect(await copy(db, "SELECT count(*)::int AS n FROM item WHERE id > $1", [0], NO_PARSERS)).toEqual([{ n: 3 }]);
    expect(await preparedRows(db, "SELECT count(*)::int AS n FROM item WHERE id < $1", [3], NO_PARSERS)).toEqual([{ n: 2 }]);
    const names = (await statementNames(db)).map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("prepares a statement again when its table changed under it, or when the session dropped it", async () => {
    const text = "SELECT * FROM item WHERE id = $1";
    expect(Object.keys((await preparedRows<object>(db, text, [1], NO_PARSERS))[0]!)).not.toContain("added");
    // PostgreSQL refuses to run a prepared SELECT * whose columns changed ("cached plan must not change result type").
    await db.exec("ALTER TABLE item ADD COLUMN added text DEFAULT 'new'");
    expect(await preparedRows<{ added: string }>(db, text, [1], NO_PARSERS)).toMatchObject([{ id: 1, added: "new" }]);
    await db.exec("DEALLOCATE ALL");
    expect(await preparedRows<{ id: number }>(db, text, [2], NO_PARSERS)).toMatchObject([{ id: 2, label: "two" }]);
  });

  it("leaves the session usable after a failed statement, and prepares a text that failed to parse when asked again", async () => {
    await expect(preparedRows(db, "INSERT INTO item (id, label) VALUES ($1, $2)", [1, "duplicate"], NO_PARSERS)).rejects.toMatchObject({ code: "23505" });
    await expect(preparedRows(db, "SELEC 1", [], NO_PARSERS)).rejects.toMatchObject({ code: "42601" });
    await expect(preparedRows(db, "SELEC 1", [], NO_PARSERS)).rejects.toMatchObject({ code: "42601" });
    expect(await preparedRows(db, "SELECT $1::int + 1 AS n", [1], NO_PARSERS)).toEqual([{ n: 2 }]);
  });

  it("waits for another caller's transaction instead of running inside it", async () => {
    let inside!: () => void;
    const opened = new Promise<void>((ok) => (inside = ok));
    let release!: () => void;
    const held = new Promise<void>((ok) => (release = ok));
    const tx = db
      .transaction(async (t) => {
        await t.query("INSERT INTO item (id, label) VALUES (100, 'uncommitted')");
        inside();
        await held;
        throw new Error("rolled back");
      })
      .catch(() => "rolled back");
    await opened;
    let answered = false;
    const counted = preparedRows<{ n: number }>(db, "SELECT count(*)::int AS n FROM item WHERE id = $1", [100], NO_PARSERS).finally(() => {
      answered = true;
    });
    // Time enough for the statement to run, were it not waiting for the transaction.
    await new Promise((ok) => setTimeout(ok, 100));
    expect(answered).toBe(false);
    release();
    expect(await tx).toBe("rolled back");
    // Inside the transaction it would have seen the uncommitted row.
    expect(await counted).toEqual([{ n: 0 }]);
  });
});
