// A port for a server that a test, the drill or the bench starts in another process.
// Not one the kernel hands out (listen(0)): that comes from the ephemeral range, which
// outgoing connections draw from too (a pg pool, autocannon's 64), so between picking
// it and the child binding it, or between a drill's restarts of a portal on its port,
// a client socket could take it (EADDRINUSE). Below that range only servers bind.
import { readFileSync } from "node:fs";
import net from "node:net";

const LOWEST = 20_000;

/** The first port of the kernel's ephemeral range (32768 unless configured otherwise). */
function ephemeralStart(): number {
  try {
    const first = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > LOWEST + 1000 ? first : 32_768;
  } catch {
    return 32_768;
  }
}

const canBind = (port: number, host: string) =>
  new Promise<boolean>((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });

/** A random port below the ephemeral range that nothing listens on now. */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const end = ephemeralStart();
  for (let tries = 0; tries < 200; tries++) {
    const port = LOWEST + Math.floor(Math.random() * (end - LOWEST));
    if (await canBind(port, host)) return port;
  }
  throw new Error(`no free port between ${LOWEST} and ${end} after 200 tries`);
}
