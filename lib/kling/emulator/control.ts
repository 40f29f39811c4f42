// Runtime control for drills, on its own loopback listener so it stays up
// while the API "fails": GET /stats, PUT /faults { spec }, PUT /mode { mode }.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { LISTENER_MODES, type ListenerMode } from "./api-listener";
import { FaultSpecError, parseFaults } from "./faults";
import { BodyError, isObject, readBody, sendJson } from "./http-io";
import type { Emulator } from "./server";

const MAX_CONTROL_BODY = 64 * 1024;

export type ControlServer = { url: string; port: number; close(): Promise<void> };

export async function startControlServer(emulator: Emulator, port = 0): Promise<ControlServer> {
  const server = http.createServer((req, res) => void handle(emulator, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

async function handle(emulator: Emulator, req: IncomingMessage, res: ServerResponse) {
  const path = new URL(req.url ?? "/", "http://control").pathname;
  const fail = (status: number, error: string) => sendJson(res, status, { error });
  try {
    if (req.method === "GET" && path === "/stats") return sendJson(res, 200, emulator.stats());
    if (req.method === "PUT" && path === "/faults") {
      const body = await readBody(req, MAX_CONTROL_BODY);
      if (!isObject(body) || typeof body.spec !== "string") return fail(400, 'body must be { "spec": "<faults>" } ("" clears)');
      try {
        emulator.setFaults(parseFaults(body.spec));
      } catch (err) {
        if (err instanceof FaultSpecError) return fail(400, `spec: ${err.message}`);
        throw err;
      }
      return sendJson(res, 200, { spec: body.spec });
    }
    if (req.method === "PUT" && path === "/mode") {
      const body = await readBody(req, MAX_CONTROL_BODY);
      const mode = isObject(body) ? body.mode : undefined;
      if (!LISTENER_MODES.includes(mode as ListenerMode)) return fail(400, `mode must be one of ${LISTENER_MODES.join(", ")}`);
      await emulator.setMode(mode as ListenerMode);
      return sendJson(res, 200, { mode });
    }
    return fail(404, "GET /stats, PUT /faults { spec }, PUT /mode { mode }");
  } catch (err) {
    if (err instanceof BodyError) return fail(400, err.message);
    if (!res.headersSent) fail(500, err instanceof Error ? err.message : "control request failed");
  }
}
