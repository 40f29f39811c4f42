// The code of npm start's database thread (pglite-owner-thread.ts starts it):
// takes the folder's lock for this process, opens PGlite and serves it on the
// owner's Unix socket, then tells the server's thread where. PGlite's work
// (WebAssembly, the wire protocol, the triggers) runs here, on a core of its own,
// while the server's thread runs Next.js. It loads only what that takes: the
// server's thread migrates through the socket, as `npm run db:migrate` would.
import { parentPort, workerData } from "node:worker_threads";
import { becomeOwner, closeEmbedded, DatabaseInUseError, serveEmbedded } from "./embedded-access";
import type { OwnerThreadReply, OwnerThreadRequest } from "./pglite-owner-thread";

const { dir, command } = workerData as { dir: string; command: string };
const port = parentPort!;
const reply = (message: OwnerThreadReply) => port.postMessage(message);

port.on("message", (message: OwnerThreadRequest) => {
  if (message.type !== "close") return;
  // The socket's clients are cut off, then PGlite closes once nobody holds its session.
  closeEmbedded(dir).then(
    () => reply({ type: "closed" }),
    (err: unknown) => reply({ type: "failed", message: err instanceof Error ? err.message : String(err) }),
  );
});

try {
  const owner = becomeOwner(dir, command);
  reply({ type: "ready", socketPath: await serveEmbedded(owner), owner: owner.lock.owner });
} catch (err) {
  // Opened but not served (a socket that cannot be made): closed again and the folder released, before saying so.
  await closeEmbedded(dir).catch(() => {});
  if (err instanceof DatabaseInUseError) reply({ type: "in-use", owner: err.owner });
  else reply({ type: "failed", message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
