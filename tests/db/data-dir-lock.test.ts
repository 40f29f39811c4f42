// The owner lock of an embedded database folder, across real processes.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeOwner, LOCK_FILE, readLiveOwner, tryAcquireDataDirLock, type Owner } from "@/lib/db/data-dir-lock";

const ROOT = path.resolve(import.meta.dirname, "../..");
const script = path.join(ROOT, "tests/db/fixtures/acquire-lock.ts");
let dir: string;

type Outcome = { won: boolean; pid?: number; owner?: number };

function racer(holdMs: number, startAt = 0) {
  const child = spawn(process.execPath, ["--import", "tsx", script, dir, String(holdMs)], { cwd: ROOT, env: { ...process.env, START_AT: String(startAt) } });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const outcome = new Promise<Outcome>((resolve, reject) => {
    child.stdout.on("data", () => {
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve(JSON.parse(line));
    });
    child.once("exit", (code) => reject(new Error(`racer exited with ${code}: ${out}`)));
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { child, outcome, exited };
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "console.log(process.pid)"]);
  return Number(child.stdout.toString().trim());
}

function writeStaleLock(pid: number) {
  const owner: Owner = {
    pid,
    hostname: os.hostname(),
    command: "npm start",
    startedAt: "2026-01-01T00:00:00.000Z",
    socketPath: path.join(dir, ".s.PGSQL.5432"),
  };
  writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(owner));
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "owner-lock-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("data folder lock", () => {
  it("records this process as owner, refuses another process naming it, and is gone after release", async () => {
    const result = tryAcquireDataDirLock(dir, "npm run admin create-user");
    if (!("lock" in result)) throw new Error("expected to acquire the free folder");
    const owner = readLiveOwner(dir)!;
    expect(owner).toMatchObject({ pid: process.pid, hostname: os.hostname(), command: "npm run admin create-user", socketPath: null });
    expect(Date.parse(owner.startedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(describeOwner(owner)).toBe(`pid ${process.pid} (npm run admin create-user) since ${owner.startedAt}`);

    result.lock.setSocketPath("/tmp/x/.s.PGSQL.5432");
    expect(readLiveOwner(dir)?.socketPath).toBe("/tmp/x/.s.PGSQL.5432");

    const other = racer(0);
    expect(await other.outcome).toEqual({ won: false, owner: process.pid });
    await other.exited;

    result.lock.release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    expect(readLiveOwner(dir)).toBeNull();
  });

  it("treats a dead owner's lock as stale and takes it over", async () => {
    const pid = deadPid();
    writeStaleLock(pid);
    expect(readLiveOwner(dir)).toBeNull();
    const result = tryAcquireDataDirLock(dir, "npm start");
    expect("lock" in result).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), "utf8")).pid).toBe(process.pid);
    if ("lock" in result) result.lock.release();
  });

  it("lets exactly one of several processes racing for a stale lock win; the others name the winner", async () => {
    writeStaleLock(deadPid());
    const startAt = Date.now() + 2_500; // After every racer has loaded.
    const racers = Array.from({ length: 4 }, () => racer(3_000, startAt));
    const outcomes = await Promise.all(racers.map((r) => r.outcome));
    const winners = outcomes.filter((o) => o.won);
    expect(winners).toHaveLength(1);
    for (const loser of outcomes.filter((o) => !o.won)) expect(loser.owner).toBe(winners[0].pid);
    expect(readLiveOwner(dir)?.pid).toBe(winners[0].pid);
    await Promise.all(racers.map((r) => r.exited));
    expect(readLiveOwner(dir)).toBeNull(); // Released on exit.
  }, 30_000);

  it("takes over after the owner is killed with SIGKILL", async () => {
    const owner = racer(60_000);
    expect((await owner.outcome).won).toBe(true);
    owner.child.kill("SIGKILL");
    await owner.exited;
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(true); // Left behind...
    expect(readLiveOwner(dir)).toBeNull(); // ...but stale.
    const next = racer(0);
    expect((await next.outcome).won).toBe(true);
    await next.exited;
  }, 30_000);
});
