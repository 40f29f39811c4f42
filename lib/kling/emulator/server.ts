// A real HTTP server speaking both upstream contracts: the seed's two gateway
// routes and Kling's official API, task progress over time with callbacks,
// preview images at its own URLs, fault injection and drill controls. Serves
// `npm run emulator` and, on its own loopback listener, the portal's `local` provider.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createApiListener, type ListenerMode } from "./api-listener";
import { createCore, type ApiRoutes, type Calls } from "./core";
import type { RefStats } from "./drill-stats";
import { parseFaults, type Faults } from "./faults";
import { BodyError, readBody, sendText } from "./http-io";
import { createImageRoute, IMAGE_PATH } from "./images";
import { createOfficialRoutes } from "./official-routes";
import type { EmulatorOptions } from "./options";
import { createSeedRoutes, sendSeedError } from "./seed-routes";
import { seedStatusBody } from "./task-clock";

export { emulatorOptionsFromConfig, type EmulatorOptions } from "./options";
export { describeIssues } from "./http-io";
export type { ListenerMode } from "./api-listener";

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export type EmulatorStats = { refs: Record<string, RefStats>; calls: Calls };

export type Emulator = {
  handler: Handler;
  /** Queues faults for the next `times` API calls (tests). */
  injectFaults(faults: Faults, times?: number): void;
  /** Replaces the runtime faults applied to every API call (starts as EMULATOR_FAULTS). */
  setFaults(faults: Faults): void;
  /** Counts of API calls received, by route (status: GET/POST by task id; lookup: official GET by anything else). */
  readonly calls: Calls;
  /** Submissions per portal task (external_task_id, else callback_url) and call counts, for drills. */
  stats(): EmulatorStats;
  /** The seed's status body of a task (tests). */
  statusBody(taskId: string, now?: number): Record<string, unknown> | undefined;
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>;
  /** Drill modes of the own listener (after listen): normal, refuse, blackhole. */
  setMode(mode: ListenerMode): Promise<void>;
  readonly mode: ListenerMode;
  close(): Promise<void>;
};

export function createEmulator(opts: EmulatorOptions = {}): Emulator {
  const core = createCore(opts);
  const { basePath } = core;
  const families: ApiRoutes[] = [createSeedRoutes(core), createOfficialRoutes(core)];
  const image = createImageRoute(core);
  const queued: { faults: Faults; remaining: number }[] = [];
  let runtimeFaults: Faults = opts.faults ?? {};

  function activeFaults(req: IncomingMessage): Faults {
    const header = req.headers["x-emulator-faults"];
    const fromHeader = parseFaults(Array.isArray(header) ? header.join(";") : header);
    const next = queued[0];
    let fromQueue: Faults = {};
    if (next) {
      fromQueue = next.faults;
      if (--next.remaining <= 0) queued.shift();
    }
    return { ...runtimeFaults, ...fromQueue, ...fromHeader };
  }

  const handler: Handler = async (req, res) => {
    const url = new URL(req.url ?? "/", "http://emulator");
    let path = url.pathname;
    if (basePath && (path === basePath || path.startsWith(`${basePath}/`))) path = path.slice(basePath.length) || "/";
    const method = req.method ?? "GET";
    let family: ApiRoutes | undefined;
    try {
      if (method === "GET" && path === "/") return sendText(res, describeEmulator(basePath));
      const img = IMAGE_PATH.exec(path);
      if (method === "GET" && img) {
        if (!(await image(res, img[1], Number(img[2])))) sendSeedError(res, 404);
        return;
      }
      let route: string | null = null;
      for (const f of families) {
        route = f.match(method, path);
        if (route) {
          family = f;
          break;
        }
      }
      if (!family || !route) return sendSeedError(res, 404);
      // Credentials first: an unauthenticated caller cannot make the emulator sleep or consume queued faults.
      if (!(await family.authenticate(req, res))) return;
      let faults: Faults;
      try {
        faults = activeFaults(req);
      } catch (err) {
        return family.sendError(res, 400, `X-Emulator-Faults: ${(err as Error).message}`);
      }
      if (faults.latencyMs) {
        // The request is received in full first: upstream then "works" on it even if the caller hangs up.
        if (method === "POST") await readBody(req).catch(() => undefined);
        await new Promise((ok) => setTimeout(ok, faults.latencyMs));
      }
      if (faults.status && Math.random() < (faults.errorRate ?? 1)) {
        return family.sendFault(res, faults.status, faults.retryAfterS ?? (faults.status === 429 ? 1 : undefined));
      }
      return await family.handle(route, req, res, faults);
    } catch (err) {
      const send = family ? family.sendError : (r: ServerResponse, s: number, m?: string) => sendSeedError(r, s, m);
      if (err instanceof BodyError) return send(res, err.status, err.message);
      opts.onError?.("emulator request failed", err);
      if (!res.headersSent) send(res, 500);
      else res.end();
    }
  };

  const listener = createApiListener(handler);

  return {
    handler,
    calls: core.calls,
    stats: () => ({ refs: core.drills.snapshot(), calls: { ...core.calls } }),
    statusBody(taskId, now = Date.now()) {
      const task = core.tasks.get(taskId);
      return task ? seedStatusBody(task, now) : undefined;
    },
    injectFaults(faults, times = 1) {
      queued.push({ faults, remaining: times });
    },
    setFaults(faults) {
      runtimeFaults = faults;
    },
    async listen(port = 0, host = "127.0.0.1") {
      const actual = await listener.listen(port, host);
      return { url: `http://${host.includes(":") ? `[${host}]` : host}:${actual.port}${basePath}`, port: actual.port };
    },
    setMode: (mode) => listener.setMode(mode),
    get mode() {
      return listener.mode;
    },
    async close() {
      core.cancelTimers();
      await listener.close();
    },
  };
}

function describeEmulator(basePath: string): string {
  return `Kling text-to-image emulator (local previews, not real generations)

Seed gateway (Appy Pie), header Ocp-Apim-Subscription-Key: <any non-empty key unless EMULATOR_KEYS is set>
POST ${basePath}/kling-ai-image/v1/getImageTask     submit a task (the seed's request body)
POST ${basePath}/kling-ai-polling/v1/getImageStatus  poll a task: { "task_id": "..." }

Kling official API, header Authorization: Bearer <HS256 JWT, iss = access key> (any key pair unless KLING_ACCESS_KEY/KLING_SECRET_KEY are set)
POST ${basePath}/v1/images/generations               submit (seed fields + model_name, external_task_id)
GET  ${basePath}/v1/images/generations/<id>          a task by task_id or external_task_id

GET  ${basePath}/images/<task_id>/<index>.png    preview images
Faults: X-Emulator-Faults: status=429; retry-after=2; error-rate=0.5; latency=300; duration=800; outcome=failed; fail-rate=0.3; callbacks=drop|duplicate|reorder; callback-drop-rate=0.3; concurrency=4 (account parallel limit in images: official 1303, seed 429)
`;
}
