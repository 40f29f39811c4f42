// New PGlite folders unpacked from the build's empty database instead of running initdb.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "@/lib/db/migrate";
import { loadPrismaPGlite, openPGlite } from "@/lib/db/pglite-modules";
import { makePgliteTemplate, pgliteTemplatePath, templateFor } from "@/lib/db/pglite-template";
import { PrismaClient } from "@/lib/generated/prisma/client";

let dir: string;
let template: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "pglite-template-"));
  template = path.join(dir, "cache", "template.tar.gz");
  // A marker schema in the template (Prisma's migrations look at `public` only) tells a folder unpacked from it from one made by initdb.
  const made = await makePgliteTemplate(template, (d) => {
    const db = openPGlite(d);
    return {
      waitReady: db.waitReady.then(() => db.exec("CREATE SCHEMA template_marker")).then(() => undefined),
      dumpDataDir: (c) => db.dumpDataDir(c),
      close: () => db.close(),
    };
  });
  expect(made).toBe("made");
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const hasMarker = async (db: ReturnType<typeof openPGlite>) =>
  (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'template_marker'")).rows[0]!.n === 1;

describe("the empty embedded database template", () => {
  it("is made once: a second call leaves the file as it is", async () => {
    expect(existsSync(template)).toBe(true);
    expect(
      await makePgliteTemplate(template, () => {
        throw new Error("must not open a database");
      }),
    ).toBe("exists");
  });

  it("is what a new folder is unpacked from; the folder migrates, answers Prisma and reopens as itself", async () => {
    const folder = path.join(dir, "new-folder");
    const db = openPGlite(folder, template);
    expect(await hasMarker(db)).toBe(true);
    expect(existsSync(path.join(folder, "PG_VERSION"))).toBe(true);
    const applied = await applyMigrations(new (loadPrismaPGlite())(db));
    expect(applied[0]).toMatch(/_init$/);
    const prisma = new PrismaClient({ adapter: new (loadPrismaPGlite())(db) });
    await prisma.user.create({ data: { email: "template@example.com" } });
    await prisma.$disconnect();
    await db.close();
    // Reopened: an existing database is never unpacked over (PGlite would refuse it).
    expect(templateFor(folder, template)).toBeUndefined();
    const again = openPGlite(folder, template);
    expect((await again.query<{ email: string }>(`SELECT email FROM "User"`)).rows).toEqual([{ email: "template@example.com" }]);
    await again.close();
  }, 120_000);

  it("is not used for an in-memory database, nor when it is missing: those run initdb", async () => {
    expect(templateFor("memory://", template)).toBeUndefined();
    const missing = path.join(dir, "no-such-template.tar.gz");
    expect(templateFor(path.join(dir, "other-folder"), missing)).toBeUndefined();
    const db = openPGlite(path.join(dir, "other-folder"), missing);
    expect(await hasMarker(db)).toBe(false);
    await db.close();
  }, 120_000);

  it("is kept with the installed modules, named for PGlite's version", () => {
    const modules = path.resolve(import.meta.dirname, "../../node_modules");
    const { version } = JSON.parse(readFileSync(path.join(modules, "@electric-sql/pglite/package.json"), "utf8")) as { version: string };
    expect(pgliteTemplatePath()).toBe(path.join(modules, ".cache", "kling-portal", `pglite-${version}-initdb.tar.gz`));
  });
});
