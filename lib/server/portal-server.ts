// The portal's single Node process: Next.js, the built-in Kling emulator at
// /emulator (the zero-config provider), and the background reconciler. One
// process matters: embedded PGlite allows exactly one owner of its data folder.
import http from "node:http";
import type { AddressInfo } from "node:net";
import next from "next";
import type { Config } from "../config";
import { logger } from "../log";
import { startBackgroundServices } from "./background";

export type PortalServer = { url: string; close(): Promise<void> };

export async function startPortalServer(opts: { config: Config; dir: string; dev?: boolean }): Promise<PortalServer> {
  const { config, dir } = opts;
  const app = next({ dev: !!opts.dev, dir, hostname: config.HOST, port: config.PORT });
  const handle = app.getRequestHandler();
  await app.prepare();
  const { createEmulatorForPortal } = await import("./emulator-mount");
  const emulator = config.KLING_PROVIDER === "local" ? createEmulatorForPortal(config) : null;

  const server = http.createServer((req, res) => {
    if (emulator && req.url && (req.url === "/emulator" || req.url.startsWith("/emulator/"))) {
      emulator.handler(req, res).catch((err) => {
        logger.error({ err }, "emulator request failed");
        if (!res.headersSent) res.writeHead(500, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ error: "An unexpected error occurred, please try again later" }));
      });
      return;
    }
    handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
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
