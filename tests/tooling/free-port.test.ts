import { readFileSync } from "node:fs";
import net from "node:net";
import { afterEach, expect, it, vi } from "vitest";
import { freePort } from "../helpers/free-port";

const ephemeralStart = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
const listen = async (port: number) => {
  const srv = net.createServer();
  await new Promise<void>((ok, fail) => srv.once("error", fail).listen(port, "127.0.0.1", ok));
  return srv;
};
const close = (srv: net.Server) => new Promise((ok) => srv.close(ok));

afterEach(() => vi.restoreAllMocks());

it("gives ports for child servers below the ephemeral range that outgoing connections draw from, free to bind", async () => {
  for (let i = 0; i < 20; i++) {
    const port = await freePort();
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(ephemeralStart);
    await close(await listen(port));
  }
});

it("never gives a port something already listens on", async () => {
  const taken = await freePort();
  const srv = await listen(taken);
  try {
    // The first pick lands on the taken port; the helper must try another.
    vi.spyOn(Math, "random").mockReturnValueOnce((taken - 20_000 + 0.5) / (ephemeralStart - 20_000));
    expect(await freePort()).not.toBe(taken);
    expect(Math.random).toHaveBeenCalledTimes(2);
  } finally {
    await close(srv);
  }
});
