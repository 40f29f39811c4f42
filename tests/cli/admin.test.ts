// `npm run admin` as operators run it, against its own embedded database.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "@/lib/api-keys/create-api-key";
import { PGlite } from "@electric-sql/pglite";

const run = promisify(execFile);
let dataDir: string;
const admin = (...args: string[]) =>
  run(process.execPath, ["--import", "tsx", "lib/cli/admin.ts", ...args], { env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: "" }, cwd: path.resolve(import.meta.dirname, "../..") });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "admin-cli-"));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe("npm run admin", () => {
  it("creates a user, then a key printed alone on the last line and stored only as a hash", async () => {
    expect((await admin("create-user", "Ops@Example.com", "a strong password")).stdout).toMatch(/^Created user ops@example.com/);
    const { stdout } = await admin("create-key", "ops@example.com", "deploy bot");
    const key = stdout.trim().split("\n").at(-1)!;
    expect(key).toMatch(/^kp_[A-Za-z0-9_-]{32}$/);
    const db = new PGlite(path.join(dataDir, "pglite"));
    const { rows } = await db.query<{ name: string; hash: string }>(`SELECT name, hash FROM "ApiKey"`);
    await db.close();
    expect(rows).toEqual([{ name: "deploy bot", hash: hashApiKey(key) }]);
  }, 120_000);

  it("fails with a readable message for bad input", async () => {
    const short = await admin("create-user", "x@example.com", "short").then(() => null, (e) => e);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain("password: Password must be at least 8 characters");
    const unknown = await admin("create-key", "nobody@example.com").then(() => null, (e) => e);
    expect(unknown.stderr).toContain("No user with email nobody@example.com");
    const usage = await admin("explode").then(() => null, (e) => e);
    expect(usage.stderr).toContain("usage: npm run admin");
  }, 120_000);
});
