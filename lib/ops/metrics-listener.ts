// `npm run worker` serves no web pages, yet its counters (upstream calls,
// archive failures, …) are its own: with WORKER_METRICS_PORT it answers
// GET /metrics on that port, with the same METRICS_TOKEN as the portal's
// GET /api/metrics, and nothing else.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { assertBearer } from "../http/bearer";
import { ApiError } from "../http/errors";
import { logger } from "../log";
import { renderMetrics } from "./render-metrics";

export type MetricsListener = { url: string; close(): Promise<void> };

export async function startMetricsListener(opts: { host: string; port: number; token: string }): Promise<MetricsListener> {
  const server = http.createServer((req, res) => {
    const answer = (status: number, message: string) =>
      res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" }).end(JSON.stringify({ error: { message } }));
    if (req.method !== "GET" || (req.url ?? "").split("?", 1)[0] !== "/metrics") return answer(404, "Not found");
    try {
      assertBearer(new Request("http://worker/metrics", { headers: { authorization: req.headers.authorization ?? "" } }), opts.token, "metrics token");
    } catch (err) {
      return answer(err instanceof ApiError ? err.status : 401, "Invalid metrics token");
    }
    renderMetrics().then(
      ({ contentType, body }) => res.writeHead(200, { "Content-Type": contentType, "Cache-Control": "no-store" }).end(body),
      (err) => {
        logger.error({ err }, "rendering the worker's metrics failed");
        answer(500, "Could not read the metrics");
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host.includes(":") ? `[${opts.host}]` : opts.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
