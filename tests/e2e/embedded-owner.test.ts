// One owner for the embedded database, end to end: admin commands and backups
// work through a running portal, a second start refuses naming the first, and
// everything survives restarts, hard kills (stale locks) and a restore.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { LOCK_FILE } from "@/lib/db/data-dir-lock";
import { pgliteTemplatePath } from "@/lib/db/pglite-template";
import { startPortal, type Portal } from "./helpers/portal";
import { signIn } from "./helpers/session";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const password = "a strong password";
const cleanup: string[] = [];
afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

type Result = { code: number; stdout: string; stderr: string };

function cli(dataDir: string, script: string, ...args: string[]): Promise<Result> {
  return run(process.execPath, ["--import", "tsx", `lib/cli/${script}.ts`, ...args], {
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "warn" },
    cwd: ROOT,
    timeout: 180_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e) => ({ code: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? String(e) }),
  );
}

async function createKey(dataDir: string, email: string) {
  const result = await cli(dataDir, "admin", "create-key", email);
  expect(result.code, result.stderr).toBe(0);
  return { key: result.stdout.trim().split("\n").at(-1)!, stderr: result.stderr };
}

const status = (portal: Portal, key: string, taskId = "no-such-task") =>
  fetch(`${portal.url}/kling-ai-polling/v1/getImageStatus`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Ocp-Apim-Subscription-Key": key },
    body: JSON.stringify({ task_id: taskId }),
  });

const signUpStatus = async (portal: Portal, email: string) =>
  (await fetch(`${portal.url}/api/signup`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email, password }) }))
    .status;

async function expectAccountWorks(portal: Portal, email: string, key: string) {
  expect((await status(portal, key)).status).toBe(200);
  expect(await signUpStatus(portal, email)).toBe(409);
  await signIn(portal.url, email, password); // Throws unless the session cookie comes back.
}

async function generate(portal: Portal, key: string): Promise<string> {
  const res = await fetch(`${portal.url}/kling-ai-image/v1/getImageTask`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Ocp-Apim-Subscription-Key": key },
    body: JSON.stringify({ prompt: "A lighthouse at dusk", n: 1, aspect_ratio: "1:1" }),
  });
  expect(res.status).toBe(200);
  const taskId = ((await res.json()) as { data: { data: { task_id: string } } }).data.data.task_id;
  for (let i = 0; i < 100; i++) {
    const body = (await (await status(portal, key, taskId)).json()) as { task_status: string };
    if (body.task_status === "succeed") return taskId;
    expect(body.task_status).not.toBe("failed");
    await new Promise((ok) => setTimeout(ok, 300));
  }
  throw new Error(`task ${taskId} did not finish`);
}

describe("one owner for the embedded database", () => {
  it("creates a new folder apart, runs admin commands and a backup through the running portal; a second start refuses; all survives restart and restore", async () => {
    let portal = await startPortal();
    cleanup.push(portal.dataDir);
    // The new folder was created and migrated by db:migrate's code in a child process, which then let the portal own it.
    expect(portal.output()).toMatch(/Applied \d+ migration\(s\): \d+_init,/);
    expect(portal.output()).not.toContain("Applied migrations:");
    // From the empty database the build made (lib/db/pglite-template.ts), not from a fresh initdb.
    expect(existsSync(pgliteTemplatePath())).toBe(true);
    const { dataDir } = portal;
    const email = "ops@example.com";

    const user = await cli(dataDir, "admin", "create-user", email, password);
    expect(user.code, user.stderr).toBe(0);
    expect(user.stderr).toContain(`through pid ${portal.pid} (npm start)`);
    const { key } = await createKey(dataDir, email);
    await expectAccountWorks(portal, email, key); // At once, no restart.

    const started = Date.now();
    const second = await cli(dataDir, "start");
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`is already open in pid ${portal.pid} (npm start) since `);
    expect(Date.now() - started).toBeLessThan(30_000); // Before any migration or build.
    expect((await status(portal, key)).status).toBe(200); // The first one is unharmed.

    const taskId = await generate(portal, key);
    // A backup while the portal serves requests.
    const backupFile = path.join(dataDir, "..", `${path.basename(dataDir)}-backup.jsonl.gz`);
    cleanup.push(backupFile);
    const load = Promise.all(Array.from({ length: 20 }, () => status(portal, key, taskId).then((r) => r.status)));
    const backup = await cli(dataDir, "backup", backupFile);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(new RegExp(`Backed up \\d+ rows from \\d+ tables through pid ${portal.pid}`));
    expect(new Set(await load)).toEqual(new Set([200]));

    const refused = await cli(dataDir, "restore", backupFile);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`in use by pid ${portal.pid} (npm start)`);

    await portal.stop({ keepData: true });
    expect(existsSync(path.join(dataDir, "pglite", LOCK_FILE))).toBe(false);
    // A user added after the backup is gone after the restore; everything in the backup is back.
    portal = await startPortal({}, { dataDir });
    expect((await cli(dataDir, "admin", "create-user", "later@example.com", password)).code).toBe(0);
    await expectAccountWorks(portal, email, key);
    await portal.stop({ keepData: true });

    const restored = await cli(dataDir, "restore", backupFile);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/The previous database is kept at .*pglite\.before-restore-\d{14}/);

    portal = await startPortal({}, { dataDir });
    try {
      await expectAccountWorks(portal, email, key);
      expect(await signUpStatus(portal, "later@example.com")).toBe(201);
      const body = (await (await status(portal, key, taskId)).json()) as { task_status: string; task_result: { images: { url: string }[] } };
      expect(body.task_status).toBe("succeed");
      expect((await fetch(body.task_result.images[0].url)).status).toBe(200); // Rows restored, files still in DATA_DIR/images.
    } finally {
      await portal.stop({ keepData: true });
    }
  }, 900_000);

  it("after kill -9 of the portal, commands own the folder themselves and the next start takes over the stale lock", async () => {
    let portal = await startPortal();
    cleanup.push(portal.dataDir);
    const { dataDir } = portal;
    const email = "night@example.com";
    expect((await cli(dataDir, "admin", "create-user", email, password)).code).toBe(0);

    await portal.stop({ signal: "SIGKILL", keepData: true });
    expect(existsSync(path.join(dataDir, "pglite", LOCK_FILE))).toBe(true); // Stale, left by the killed portal.
    const { key, stderr } = await createKey(dataDir, email);
    expect(stderr).not.toContain("through pid"); // It took the stale lock and opened the folder itself.
    expect(existsSync(path.join(dataDir, "pglite", LOCK_FILE))).toBe(false);

    portal = await startPortal({}, { dataDir });
    await expectAccountWorks(portal, email, key);
    await portal.stop({ signal: "SIGKILL", keepData: true });

    portal = await startPortal({}, { dataDir }); // Takes over the killed portal's stale lock and socket.
    try {
      await expectAccountWorks(portal, email, key);
      const viaSocket = await cli(dataDir, "migrate");
      expect(viaSocket.code, viaSocket.stderr).toBe(0);
      expect(viaSocket.stderr).toContain(`through pid ${portal.pid}`);
      expect(viaSocket.stdout).toContain("Database is up to date.");
    } finally {
      await portal.stop({ keepData: true });
    }
  }, 900_000);
});
