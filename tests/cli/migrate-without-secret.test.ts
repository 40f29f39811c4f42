// `npm run db:migrate` on PostgreSQL signs nothing, so it runs without
// AUTH_SECRET (a deploy step often has no access to the app's secrets); the
// portal and the worker, which sign, still refuse to start without it.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
const baseUrl = process.env.TEST_DATABASE_URL;
const schema = `nosecret_${randomBytes(4).toString("hex")}`;

const cli = (script: string, env: Record<string, string>) =>
  run(process.execPath, ["--import", "tsx", path.join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, AUTH_SECRET: "", ...env },
    timeout: 120_000,
  });

describe.skipIf(!baseUrl)("commands that sign nothing need no AUTH_SECRET on PostgreSQL", () => {
  const url = () => {
    const u = new URL(baseUrl!);
    u.searchParams.set("schema", schema);
    return u.toString();
  };
  afterAll(async () => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it("npm run db:migrate applies the migrations; npm run worker refuses, naming AUTH_SECRET", async () => {
    const migrated = await cli("lib/cli/migrate.ts", { DATABASE_URL: url() });
    expect(migrated.stdout).toMatch(/Applied \d+ migration/);
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    const { rows } = await client.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'Task'", [schema]);
    await client.end();
    expect(rows[0].n).toBe(1);

    const worker = await cli("lib/cli/worker.ts", { DATABASE_URL: url() }).then(
      () => null,
      (err: { code?: number; stderr?: string; stdout?: string }) => err,
    );
    expect(worker?.code).not.toBe(0);
    expect(`${worker?.stderr}${worker?.stdout}`).toMatch(/AUTH_SECRET is required with a PostgreSQL DATABASE_URL/);
  });
});
