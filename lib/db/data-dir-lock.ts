// Who owns an embedded PGlite folder: a lock file inside it names the one
// process allowed to open it (two PGlite instances on one folder corrupt it).
// Acquire, takeover of a dead owner's lock and release are serialized by an
// atomic mkdir mutex, so two processes can never both win.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { threadId } from "node:worker_threads";

export type Owner = {
  pid: number;
  hostname: string;
  command: string;
  startedAt: string;
  /** The Unix socket serving the database to other processes; null when the owner does not serve it. */
  socketPath: string | null;
  /** Linux process start time (clock ticks since boot): tells a recycled pid from the owner. */
  processStart?: number | null;
  /**
   * The owning thread of that process (npm start's database thread; 0, the main thread, when absent): another
   * thread of the same process is not the owner and must reach the database through its socket like any command.
   */
  threadId?: number;
};

export type DataDirLock = {
  readonly dir: string;
  readonly owner: Owner;
  setSocketPath(socketPath: string | null): void;
  release(): void;
};

export const LOCK_FILE = "kling-portal-owner.json";
const MUTEX_DIR = "kling-portal-owner.mutex";
// The mutex is held for a few file operations; one older than this belonged to a process that died inside them.
const STALE_MUTEX_MS = 5_000;

const lockPath = (dir: string) => path.join(dir, LOCK_FILE);

function sleepSync(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// Linux's /proc/<pid>/stat, fields after the parenthesised command name (which may hold spaces); null elsewhere.
function procStat(pid: number): string[] | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** Field 22, the start time: with the pid it names one process, even after the pid is reused. */
function processStart(pid: number): number | null {
  const fields = procStat(pid);
  return fields ? Number(fields[19]) : null;
}

function withMutex<T>(dir: string, fn: () => T): T {
  const mutex = path.join(dir, MUTEX_DIR);
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      fs.mkdirSync(mutex);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      try {
        if (Date.now() - fs.statSync(mutex).mtimeMs > STALE_MUTEX_MS) fs.rmdirSync(mutex);
      } catch {
        // Gone already: retry the mkdir.
      }
      if (Date.now() > deadline) throw new Error(`Could not lock ${dir}: ${mutex} stays in place; remove it if no portal command runs`);
      sleepSync(5 + Math.random() * 10);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmdirSync(mutex);
  }
}

function readOwnerFile(dir: string): Owner | null {
  let text: string;
  try {
    text = fs.readFileSync(lockPath(dir), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  try {
    const owner = JSON.parse(text) as Owner;
    return Number.isInteger(owner.pid) ? owner : null;
  } catch {
    return null; // A torn or foreign file names nobody alive.
  }
}

function writeOwnerFile(dir: string, owner: Owner) {
  const tmp = `${lockPath(dir)}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(owner, null, 2));
  fs.renameSync(tmp, lockPath(dir));
}

/** Whether the recorded owner still runs; an owner on another host cannot be checked, so it counts as alive. */
export function isOwnerAlive(owner: Owner): boolean {
  if (owner.hostname !== os.hostname()) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const fields = procStat(owner.pid);
  if (fields?.[0] === "Z") return false; // Killed, only waiting for its parent to reap it.
  if (owner.processStart != null && fields && Number(fields[19]) !== owner.processStart) return false;
  return true;
}

const isSelf = (owner: Owner) => owner.pid === process.pid && owner.hostname === os.hostname() && (owner.threadId ?? 0) === threadId;

/** The live owner of the folder, or null when none (no lock, or a dead owner's stale lock). */
export function readLiveOwner(dir: string): Owner | null {
  const owner = readOwnerFile(dir);
  return owner && isOwnerAlive(owner) ? owner : null;
}

export function describeOwner(owner: Owner): string {
  const host = owner.hostname === os.hostname() ? "" : ` on host ${owner.hostname}`;
  return `pid ${owner.pid}${host} (${owner.command}) since ${owner.startedAt}`;
}

/** For an owner on another host (a shared volume), whose liveness this host cannot check: how to clear its lock. */
export function foreignOwnerHint(dir: string, owner: Owner): string {
  return owner.hostname === os.hostname() ? "" : ` If ${owner.hostname} no longer runs it, delete ${lockPath(dir)}.`;
}

/** Takes the folder for this process, taking over a dead owner's lock; returns the live owner instead when there is one. */
export function tryAcquireDataDirLock(dir: string, command: string): { lock: DataDirLock } | { owner: Owner } {
  fs.mkdirSync(dir, { recursive: true });
  return withMutex(dir, () => {
    const current = readOwnerFile(dir);
    if (current && !isSelf(current) && isOwnerAlive(current)) return { owner: current };
    const owner: Owner = {
      pid: process.pid,
      hostname: os.hostname(),
      command,
      startedAt: new Date().toISOString(),
      socketPath: null,
      processStart: processStart(process.pid),
      ...(threadId ? { threadId } : {}),
    };
    writeOwnerFile(dir, owner);
    return { lock: createLock(dir, owner) };
  });
}

function createLock(dir: string, owner: Owner): DataDirLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off("exit", release);
    for (const signal of signals) process.off(signal, onSignal);
    if (!fs.existsSync(dir)) return;
    withMutex(dir, () => {
      const current = readOwnerFile(dir);
      if (current && isSelf(current)) fs.rmSync(lockPath(dir), { force: true });
    });
  };
  // A command without its own signal handling would die without 'exit': release,
  // then die of the same signal. Commands that handle signals exit, and 'exit' releases.
  const onSignal = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) > 1) return;
    release();
    process.kill(process.pid, signal);
  };
  process.on("exit", release);
  for (const signal of signals) process.on(signal, onSignal);
  return {
    dir,
    get owner() {
      return owner;
    },
    setSocketPath(socketPath) {
      if (released) throw new Error(`The lock on ${dir} was released`);
      owner.socketPath = socketPath;
      withMutex(dir, () => writeOwnerFile(dir, owner));
    },
    release,
  };
}

const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM"];
