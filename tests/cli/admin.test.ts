// `npm run admin` as operators run it, against its own embedded database.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "@/lib/api-keys/create-api-key";
import { openSecret } from "@/lib/api-keys/secret-box";
import { PGlite } from "@electric-sql/pglite";

const run = promisify(execFile);
let dataDir: string;
const admin = (...args: string[]) =>
  run(process.execPath, ["--import", "tsx", "lib/cli/admin.ts", ...args], {
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: "" },
    cwd: path.resolve(import.meta.dirname, "../.."),
  });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "admin-cli-"));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe("npm run admin", () => {
  it("creates a user, then a key and its signing secret each alone on a line, the key stored only as a hash and the secret sealed", async () => {
    expect((await admin("create-user", "Ops@Example.com", "a strong password")).stdout).toMatch(/^Created user ops@example.com/);
    const { stdout } = await admin("create-key", "ops@example.com", "deploy bot");
    const [signingSecret, key] = stdout.trim().split("\n").slice(-2);
    expect(key).toMatch(/^kp_[A-Za-z0-9_-]{32}$/);
    expect(signingSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const db = new PGlite(path.join(dataDir, "pglite"));
    const { rows } = await db.query<{ id: string; name: string; hash: string; signingSecret: string }>(`SELECT id, name, hash, "signingSecret" FROM "ApiKey"`);
    await db.close();
    expect(rows).toEqual([{ id: expect.any(String), name: "deploy bot", hash: hashApiKey(key), signingSecret: expect.stringMatching(/^v1:/) }]);
    expect(rows[0].signingSecret).not.toContain(signingSecret.slice(6));
    // The child inherits the test AUTH_SECRET (tests/setup.ts); without one it would have written DATA_DIR/auth-secret.
    const authSecret = process.env.AUTH_SECRET ?? (await readFile(path.join(dataDir, "auth-secret"), "utf8")).trim();
    expect(openSecret(rows[0].signingSecret, rows[0].id, authSecret)).toBe(signingSecret);
  }, 120_000);

  it("grants and revokes the admin role, and says when ADMIN_EMAILS keeps someone an admin", async () => {
    await admin("create-user", "boss@example.com", "a strong password");
    const isAdmin = async () => {
      const db = new PGlite(path.join(dataDir, "pglite"));
      const { rows } = await db.query<{ isAdmin: boolean }>(`SELECT "isAdmin" FROM "User" WHERE email = 'boss@example.com'`);
      await db.close();
      return rows[0].isAdmin;
    };
    expect((await admin("grant-admin", "Boss@Example.com")).stdout).toMatch(/^Granted admin for boss@example.com/);
    expect(await isAdmin()).toBe(true);
    expect((await admin("revoke-admin", "boss@example.com")).stdout).toMatch(/^Revoked admin for boss@example.com/);
    expect(await isAdmin()).toBe(false);
    const viaEnv = await run(process.execPath, ["--import", "tsx", "lib/cli/admin.ts", "revoke-admin", "boss@example.com"], {
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: "", ADMIN_EMAILS: "boss@example.com" },
      cwd: path.resolve(import.meta.dirname, "../.."),
    });
    expect(viaEnv.stderr).toContain("still an admin through ADMIN_EMAILS");
    const unknown = await admin("grant-admin", "nobody@example.com").then(
      () => null,
      (e) => e,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("No user with email nobody@example.com");
    const missing = await admin("grant-admin").then(
      () => null,
      (e) => e,
    );
    expect(missing.stderr).toContain("grant-admin <email>");
  }, 120_000);

  it("sets a user's monthly image budget (a number, unlimited, back to the default) and grants images for this month as a ledger entry", async () => {
    await admin("create-user", "budget@example.com", "a strong password");
    const read = async () => {
      const db = new PGlite(path.join(dataDir, "pglite"));
      const user = await db.query<{ monthlyImageQuota: number | null; quotaUnlimited: boolean }>(
        `SELECT "monthlyImageQuota", "quotaUnlimited" FROM "User" WHERE email = 'budget@example.com'`,
      );
      const grants = await db.query<{ kind: string; images: number; note: string | null; periodStart: Date }>(
        `SELECT e.kind::text, e.images, e.note, e."periodStart" FROM "UsageEntry" e JOIN "User" u ON u.id = e."userId" WHERE u.email = 'budget@example.com'`,
      );
      await db.close();
      return { ...user.rows[0], entries: grants.rows };
    };
    expect((await admin("set-quota", "Budget@Example.com", "500")).stdout).toContain("Budget for budget@example.com set to 500: 0 of 500 images this month");
    expect(await read()).toMatchObject({ monthlyImageQuota: 500, quotaUnlimited: false });
    expect((await admin("set-quota", "budget@example.com", "unlimited")).stdout).toContain("set to unlimited: 0 images this month (unlimited)");
    expect(await read()).toMatchObject({ monthlyImageQuota: null, quotaUnlimited: true });
    await admin("set-quota", "budget@example.com", "default");
    expect(await read()).toMatchObject({ monthlyImageQuota: null, quotaUnlimited: false });
    await admin("set-quota", "budget@example.com", "10");
    expect((await admin("grant-images", "budget@example.com", "25", "launch", "week")).stdout).toContain(
      "Granted 25 images to budget@example.com for this month: 0 of 35 images this month",
    );
    const now = new Date();
    const { entries } = await read();
    expect(entries).toEqual([{ kind: "grant", images: 25, note: "launch week", periodStart: expect.any(Date) }]);
    expect(new Date(entries[0].periodStart).getTime()).toBe(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const bad = await admin("set-quota", "budget@example.com", "lots").then(
      () => null,
      (e) => e,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("lots: must be a whole number of images, unlimited or default");
    const zero = await admin("grant-images", "budget@example.com", "0").then(
      () => null,
      (e) => e,
    );
    expect(zero.stderr).toContain("images: must be a whole number of images, at least 1");
    const nobody = await admin("set-quota", "nobody@example.com", "5").then(
      () => null,
      (e) => e,
    );
    expect(nobody.stderr).toContain("No user with email nobody@example.com");
  }, 180_000);

  it("fails with a readable message for bad input", async () => {
    const short = await admin("create-user", "x@example.com", "short").then(
      () => null,
      (e) => e,
    );
    expect(short.code).toBe(1);
    expect(short.stderr).toContain("password: Password must be at least 8 characters");
    const unknown = await admin("create-key", "nobody@example.com").then(
      () => null,
      (e) => e,
    );
    expect(unknown.stderr).toContain("No user with email nobody@example.com");
    const usage = await admin("explode").then(
      () => null,
      (e) => e,
    );
    expect(usage.stderr).toContain("usage: npm run admin");
  }, 120_000);
});
