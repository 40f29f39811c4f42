// `npm run worker` on the embedded database: it owns the folder and serves it,
// admin commands go through it, a portal start refuses naming it, and the
// folder is free again once it stops.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readLiveOwner } from "@/lib/db/data-dir-lock";
import { spawnCli } from "../helpers/spawn";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
let dataDir: string;
const env = () => ({ ...process.env, DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "warn" });
const cli = (script: string, ...args: string[]) =>
  run(process.execPath, ["--import", "tsx", `lib/cli/${script}.ts`, ...args], { env: env(), cwd: ROOT }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
  );

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "worker-owner-"));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe("npm run worker as the embedded database's owner", () => {
  it("serves admin commands, makes a portal start refuse, and frees the folder when stopped", async () => {
    const worker = await spawnCli("lib/cli/worker.ts", [], {
      env: { DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "warn" },
      ready: /Worker running/,
      timeoutMs: 120_000,
    });
    const pid = worker.child.pid!;
    try {
      expect(readLiveOwner(path.join(dataDir, "pglite"))).toMatchObject({
        pid,
        command: "npm run worker",
        socketPath: path.join(dataDir, "pglite", ".s.PGSQL.5432"),
      });

      const user = await cli("admin", "create-user", "ops@example.com", "a strong password");
      expect(user.code, user.stderr).toBe(0);
      expect(user.stderr).toContain(`through pid ${pid} (npm run worker)`);

      const start = await cli("start");
      expect(start.code).toBe(1);
      expect(start.stderr).toContain(`is already open in pid ${pid} (npm run worker) since `);
    } finally {
      await worker.stop();
    }
    expect(readLiveOwner(path.join(dataDir, "pglite"))).toBeNull();

    const key = await cli("admin", "create-key", "ops@example.com");
    expect(key.code, key.stderr).toBe(0);
    expect(key.stderr).not.toContain("through pid");
    // The key, then its webhook signing secret, each alone on a line.
    expect(key.stdout.trim().split("\n").slice(-2)).toEqual([expect.stringMatching(/^whsec_/), expect.stringMatching(/^kp_/)]);
  }, 240_000);
});
