// npm start with the embedded database: the folder is owned by this process, in
// a worker thread of its own (pglite-owner-thread-body.ts), which serves it on
// the owner's Unix socket; the server's thread reaches it through that socket
// with node-postgres, as every other command does. PGlite's work then runs on the
// second core instead of between the server's requests (README, Performance).
import { Worker } from "node:worker_threads";
import type { Owner } from "./data-dir-lock";
import { DatabaseInUseError, knownEmbeddedAccess, registerOwnerThread } from "./embedded-access";

export type OwnerThreadRequest = { type: "close" };
export type OwnerThreadReply =
  | { type: "ready"; socketPath: string; owner: Owner }
  | { type: "in-use"; owner: Owner }
  | { type: "failed"; message: string }
  | { type: "closed" };

/** Within npm start's 10 s for closing the database (lib/cli/start.ts). */
const CLOSE_TIMEOUT_MS = 8_000;

/**
 * Starts the thread and waits until it serves the folder (to this thread too, from then on).
 * Throws DatabaseInUseError when another live process owns the folder. A thread that dies
 * afterwards is reported to onLost (npm start then ends): nothing here could reach the database again.
 * Returns the thread (tests end it to see that).
 */
export async function startPgliteOwnerThread(dir: string, command: string, onLost: (err: Error) => void): Promise<Worker> {
  // One access per folder and process: this thread already reaches it (through a thread of its own, or otherwise).
  if (knownEmbeddedAccess(dir)) throw new Error(`this process already reaches the embedded database in ${dir}`);
  const body = new URL("./pglite-owner-thread-body.ts", import.meta.url).href;
  // A worker does not inherit tsx's loader on Node 20: the body is loaded through tsx's own import.
  const tsx = import.meta.resolve("tsx/esm/api");
  const worker = new Worker(`import(${JSON.stringify(tsx)}).then(({ tsImport }) => tsImport(${JSON.stringify(body)}, ${JSON.stringify(body)}))`, {
    eval: true,
    workerData: { dir, command },
    // Its JavaScript only moves protocol messages (PGlite's memory is WebAssembly's): not the server's large young generation.
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
  });
  let closing = false;
  const first = await firstReply(worker, dir);
  if (first.type === "in-use") {
    await worker.terminate();
    throw new DatabaseInUseError(dir, first.owner, "stop it first");
  }
  if (first.type !== "ready") {
    await worker.terminate();
    throw new Error(first.type === "failed" ? first.message : `the embedded database's thread answered ${first.type}`);
  }
  worker.on("error", (err) => {
    if (!closing) onLost(err);
  });
  let exited = false;
  worker.on("exit", (code) => {
    exited = true;
    if (!closing) onLost(new Error(`the embedded database's thread exited (code ${code})`));
  });
  const close = async () => {
    closing = true;
    // Gone already (reported to onLost): nothing is left to close.
    if (exited) return;
    const done = new Promise<void>((resolve, reject) => {
      worker.on("message", (reply: OwnerThreadReply) => {
        if (reply.type === "closed") resolve();
        else if (reply.type === "failed") reject(new Error(reply.message));
      });
      setTimeout(() => reject(new Error(`the embedded database's thread did not close within ${CLOSE_TIMEOUT_MS} ms`)), CLOSE_TIMEOUT_MS).unref();
    });
    worker.postMessage({ type: "close" } satisfies OwnerThreadRequest);
    try {
      await done;
    } finally {
      await worker.terminate();
    }
  };
  registerOwnerThread(dir, first.owner, first.socketPath, close);
  return worker;
}

/** The thread's first word: ready, or why not. Only these listeners are removed afterwards (Worker has its own). */
function firstReply(worker: Worker, dir: string): Promise<OwnerThreadReply> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: OwnerThreadReply) => settle(() => resolve(reply));
    const onError = (err: Error) => settle(() => reject(err));
    const onExit = (code: number) => settle(() => reject(new Error(`the embedded database's thread exited (code ${code}) before serving ${dir}`)));
    const settle = (then: () => void) => {
      worker.off("message", onMessage).off("error", onError).off("exit", onExit);
      then();
    };
    worker.on("message", onMessage).on("error", onError).on("exit", onExit);
  });
}
