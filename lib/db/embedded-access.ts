// How this process reaches an embedded PGlite folder, decided once per folder:
// as its one owner (PGlite opened in-process behind the session lock), or as a
// client of the running owner through the Unix socket that owner serves.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { describeOwner, foreignOwnerHint, tryAcquireDataDirLock, type DataDirLock, type Owner } from "./data-dir-lock";
import { lockedPglite } from "./locked-pglite";
import { openPGlite } from "./pglite-modules";
import { startWireServer, type WireServer } from "./pglite-wire-server";
import { SessionLock } from "./session-lock";

export type OwnerAccess = {
  kind: "owner";
  dir: string;
  /** The raw instance: only the wire server and close() use it. */
  pglite: PGlite;
  /** The instance every in-process user goes through (each call takes the session lock). */
  db: PGlite;
  sessionLock: SessionLock;
  lock: DataDirLock;
  server: (WireServer & { privateDir: string | null }) | null;
};
export type ClientAccess = {
  kind: "client";
  dir: string;
  owner: Owner;
  socketDir: string;
  /** When the owner is this process's own database thread (pglite-owner-thread.ts): closes it. */
  closeOwner?: () => Promise<void>;
};
export type EmbeddedAccess = OwnerAccess | ClientAccess;

export class DatabaseInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly owner: Owner,
    why: string,
  ) {
    super(`The embedded database in ${dir} is in use by ${describeOwner(owner)}; ${why}.${foreignOwnerHint(dir, owner)}`);
    this.name = "DatabaseInUseError";
  }
}

// node-postgres finds a server's socket as <dir>/.s.PGSQL.<port>; Unix socket paths stop near 104 bytes.
const SOCKET_NAME = ".s.PGSQL.5432";
const MAX_SOCKET_PATH = 100;

// One decision per folder for the whole process, shared by the CLI code and Next.js's bundles.
const key = Symbol.for("kling-portal.embedded-access");
type Holder = { [key]?: Map<string, EmbeddedAccess> };
const accesses = () => ((globalThis as Holder)[key] ??= new Map());

/** A label for the lock file when a command did not name itself (never its arguments: they may hold a password). */
function defaultCommand(): string {
  const script = process.argv[1] ? path.relative(process.cwd(), process.argv[1]) : "node";
  return `node ${script}`;
}

function becomeOwnerOrOwner(dir: string, command: string): OwnerAccess | Owner {
  const result = tryAcquireDataDirLock(dir, command);
  if ("owner" in result) return result.owner;
  const pglite = openPGlite(dir);
  const sessionLock = new SessionLock();
  const access: OwnerAccess = { kind: "owner", dir, pglite, db: lockedPglite(pglite, sessionLock), sessionLock, lock: result.lock, server: null };
  accesses().set(dir, access);
  return access;
}

/**
 * This process's access to the folder: the one decided before, or it becomes the
 * owner now, or it is a client of the live owner's socket. Throws
 * DatabaseInUseError when a live owner does not serve the database (yet).
 */
export function embeddedAccess(dir: string, command = defaultCommand()): EmbeddedAccess {
  const known = accesses().get(dir);
  if (known) return known;
  const result = becomeOwnerOrOwner(dir, command);
  if ("kind" in result) return result;
  if (!result.socketPath) {
    throw new DatabaseInUseError(dir, result, "it does not serve other processes (yet): wait until it is ready or has finished, then try again");
  }
  const access: ClientAccess = { kind: "client", dir, owner: result, socketDir: path.dirname(result.socketPath) };
  accesses().set(dir, access);
  return access;
}

/** This process's access to the folder if it has settled one, without settling it. */
export function knownEmbeddedAccess(dir: string): EmbeddedAccess | undefined {
  return accesses().get(dir);
}

/** embeddedAccess for commands: waits for an owner that is starting up or a short command that is finishing. */
export async function connectEmbedded(dir: string, opts: { command: string; waitMs?: number }): Promise<EmbeddedAccess> {
  const deadline = Date.now() + (opts.waitMs ?? 60_000);
  for (;;) {
    try {
      return embeddedAccess(dir, opts.command);
    } catch (err) {
      if (!(err instanceof DatabaseInUseError) || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** For commands that must own the folder themselves (npm start, db:restore): throws DatabaseInUseError naming the live owner. */
export function becomeOwner(dir: string, command: string): OwnerAccess {
  const known = accesses().get(dir);
  if (known?.kind === "owner") return known;
  if (known) throw new DatabaseInUseError(dir, known.owner, "stop it first");
  const result = becomeOwnerOrOwner(dir, command);
  if ("kind" in result) return result;
  throw new DatabaseInUseError(dir, result, "stop it first");
}

/** The folder is owned by this process's database thread, serving it on socketPath: this thread is its client. */
export function registerOwnerThread(dir: string, owner: Owner, socketPath: string, closeOwner: () => Promise<void>): ClientAccess {
  const access: ClientAccess = { kind: "client", dir, owner, socketDir: path.dirname(socketPath), closeOwner };
  accesses().set(dir, access);
  return access;
}

/** Serves the owned database to local processes on a Unix socket, recorded in the lock file. */
export async function serveEmbedded(access: OwnerAccess): Promise<string> {
  if (access.server) return access.server.socketPath;
  let socketDir = access.dir;
  let privateDir: string | null = null;
  if (Buffer.byteLength(path.join(socketDir, SOCKET_NAME)) > MAX_SOCKET_PATH) {
    privateDir = socketDir = mkdtempSync(path.join(os.tmpdir(), "kling-pg-"));
  }
  await access.pglite.waitReady;
  const server = await startWireServer(access.pglite, access.sessionLock, path.join(socketDir, SOCKET_NAME));
  access.server = Object.assign(server, { privateDir });
  access.lock.setSocketPath(server.socketPath);
  return server.socketPath;
}

/** Stops serving, closes PGlite once nobody is using its session, and releases the folder. */
export async function closeEmbedded(dir: string): Promise<void> {
  const access = accesses().get(dir);
  if (access?.kind === "client" && access.closeOwner) {
    // Known as a client until its owner thread has closed: nothing in this thread may try to open the folder meanwhile.
    try {
      await access.closeOwner();
    } finally {
      accesses().delete(dir);
    }
    return;
  }
  accesses().delete(dir);
  if (access?.kind !== "owner") return;
  try {
    if (access.server) {
      await access.server.close();
      if (access.server.privateDir) rmSync(access.server.privateDir, { recursive: true, force: true });
    }
    await access.sessionLock.run(async () => {
      if (!access.pglite.closed) await access.pglite.close();
    });
  } finally {
    access.lock.release();
  }
}

export async function closeAllEmbedded(): Promise<void> {
  for (const dir of [...accesses().keys()]) await closeEmbedded(dir);
}
