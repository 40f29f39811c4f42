// The portal's single Node process: Next.js on the public port, the built-in
// Kling emulator on its own loopback listener (the zero-config provider, never
// on the public port), and the background reconciler. One process matters:
// embedded PGlite allows exactly one owner of its data folder.
import http from "node:http";
import type { AddressInfo } from "node:net";
import next from "next";
import type { Config } from "../config";
import { answerClientError } from "../http/client-error";
import { CLIENT_IP_HEADER, resolveClientIp } from "../http/client-ip";
import { methodGuardFor, refuseUnsupportedMethod } from "../http/method-guard";
import { resourceHeadersFor } from "../http/resource-headers";
import { logger, processLogger } from "../log";
import { getMetrics } from "../ops/metrics";
import { observeRequests } from "../ops/observe-requests";
import { routeMatcherFor } from "../ops/route-patterns";
import { startBackgroundServices } from "./background";

export type PortalServer = { url: string; close(): Promise<void> };

export async function startPortalServer(opts: { config: Config; dir: string; dev?: boolean }): Promise<PortalServer> {
  const { config, dir } = opts;
  const app = next({ dev: !!opts.dev, dir, hostname: config.HOST, port: config.PORT });
  const handle = app.getRequestHandler();
  await app.prepare();
  const { startLocalEmulator } = await import("./local-emulator");
  const emulator = config.KLING_PROVIDER === "local" ? await startLocalEmulator(config) : null;
  if (emulator) logger.debug({ url: emulator.url }, "built-in emulator listening on loopback");

  const observe = observeRequests({ logger: processLogger(), routeOf: routeMatcherFor(dir), metrics: getMetrics() });
  // Read once: under `npm run dev` routes change while it runs, so Next.js answers there.
  const guard = opts.dev ? null : methodGuardFor(dir);
  const resourceHeaders = resourceHeadersFor(config.PUBLIC_URL);
  // Everything on the public port is Next.js: /emulator… is a 404 like any unknown path.
  const server = http.createServer((req, res) => {
    // Overwrites whatever the client sent: per-IP throttling reads only this.
    req.headers[CLIENT_IP_HEADER] = resolveClientIp(req.socket.remoteAddress, req.headers["x-forwarded-for"], config.TRUST_PROXY_HOPS);
    observe(req, res, () => {
      if (guard && refuseUnsupportedMethod(guard, req, res, config.PUBLIC_URL)) return;
      resourceHeaders((req.url ?? "/").split("?", 1)[0], res);
      void handle(req, res);
    });
  });
  server.on("clientError", (err, socket) => answerClientError(err, socket, logger));
  server.keepAliveTimeout = 65_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.PORT, config.HOST, () => resolve());
    });
  } catch (err) {
    await emulator?.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const background = startBackgroundServices(config);
  return {
    url: `http://localhost:${port}`,
    async close() {
      await background.stop();
      await emulator?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
    },
  };
}
