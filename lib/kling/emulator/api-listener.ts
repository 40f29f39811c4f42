// The emulator's own HTTP listener with drill modes: `normal`; `refuse` closes
// the listener so connections are refused; `blackhole` accepts connections and
// holds every request unanswered until the mode changes. Task state lives
// elsewhere, so it survives every mode.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export const LISTENER_MODES = ["normal", "refuse", "blackhole"] as const;
export type ListenerMode = (typeof LISTENER_MODES)[number];

/** Held blackhole requests beyond this are reset, oldest first, so a drill cannot exhaust memory. */
const MAX_HELD = 1000;

export type ApiListener = ReturnType<typeof createApiListener>;

export function createApiListener(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
  let server: http.Server | undefined;
  let address: { port: number; host: string } | undefined;
  let mode: ListenerMode = "normal";
  const held = new Set<Socket>();
  let queue: Promise<unknown> = Promise.resolve();

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (mode === "blackhole") {
      if (held.size >= MAX_HELD) {
        const oldest = held.values().next().value!;
        held.delete(oldest);
        oldest.destroy();
      }
      held.add(req.socket);
      req.socket.once("close", () => held.delete(req.socket));
      return;
    }
    void handler(req, res);
  };

  async function open(port: number, host: string) {
    const s = http.createServer(onRequest);
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.listen(port, host, () => resolve());
    });
    server = s;
    address = { port: (s.address() as AddressInfo).port, host };
  }

  async function shut() {
    const s = server;
    server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((ok) => s.close(() => ok()));
  }

  function release() {
    for (const socket of held) socket.destroy();
    held.clear();
  }

  // Mode changes run one at a time, in the order asked.
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => {});
    return next;
  };

  return {
    get mode() {
      return mode;
    },
    get listening() {
      return !!server;
    },
    listen: (port = 0, host = "127.0.0.1") =>
      serial(async () => {
        await open(port, host);
        return address!;
      }),
    setMode: (next: ListenerMode) =>
      serial(async () => {
        if (!address) throw new Error("the emulator is not listening on its own port");
        if (next !== "blackhole") release();
        mode = next;
        if (next === "refuse") await shut();
        else if (!server) await open(address.port, address.host);
      }),
    close: () =>
      serial(async () => {
        release();
        await shut();
      }),
  };
}
