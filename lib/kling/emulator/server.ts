// A real HTTP server speaking the seed's contract: the two gateway routes,
// task progress over time with callbacks, and preview images at its own
// URLs. Serves `npm run emulator` and, mounted at /emulator, the portal's
// zero-config `local` provider.
import { randomBytes } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { APPYPIE_PATHS } from "../appypie-client";
import {
  klingImageRequestSchema,
  SEED_ERROR_MESSAGES,
  statusRequestSchema,
  type KlingImageRequest,
  type KlingTaskStatus,
} from "../schema";
import type { Config } from "../../config";
import { parseFaults, type Faults } from "./faults";
import { renderPreview } from "./render-image";

export type EmulatorOptions = {
  /** Prefix the routes are served under, e.g. "/emulator" inside the portal. */
  basePath?: string;
  /** Absolute URL of basePath as seen by whoever downloads the images; by default taken from the Host header. */
  publicBaseUrl?: string;
  /** Accepted subscription keys; empty accepts any non-empty key. */
  keys?: string[];
  durationMs?: number;
  failureRate?: number;
  /** Faults applied to every request (EMULATOR_FAULTS). */
  faults?: Faults;
  /** Used for callbacks and reference URLs. */
  fetch?: typeof fetch;
  onError?: (message: string, err?: unknown) => void;
  maxTasks?: number;
};

type EmulatedTask = {
  id: string;
  request: KlingImageRequest;
  createdAt: number;
  processingAt: number;
  endsAt: number;
  outcome: "succeed" | "failed";
  failMsg: string;
  imagesBase: string;
  reference?: Promise<Buffer | undefined>;
};

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export type Emulator = {
  handler: Handler;
  /** Queues faults for the next `times` API calls (tests). */
  injectFaults(faults: Faults, times?: number): void;
  /** Counts of API calls received, by route (tests). */
  readonly calls: { submit: number; status: number; images: number };
  statusBody(taskId: string, now?: number): Record<string, unknown> | undefined;
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
};

const MAX_BODY = 15 * 1024 * 1024;

/** The emulator's knobs from configuration (EMULATOR_*), shared by `npm run emulator` and the portal's mount. */
export function emulatorOptionsFromConfig(config: Pick<Config, "EMULATOR_KEYS" | "EMULATOR_DURATION_MS" | "EMULATOR_FAILURE_RATE" | "EMULATOR_FAULTS">): EmulatorOptions {
  return {
    keys: (config.EMULATOR_KEYS ?? "").split(",").map((k) => k.trim()).filter(Boolean),
    durationMs: config.EMULATOR_DURATION_MS,
    failureRate: config.EMULATOR_FAILURE_RATE,
    faults: parseFaults(config.EMULATOR_FAULTS),
  };
}

export function createEmulator(opts: EmulatorOptions = {}): Emulator {
  const basePath = (opts.basePath ?? "").replace(/\/+$/, "");
  const tasks = new Map<string, EmulatedTask>();
  const timers = new Set<NodeJS.Timeout>();
  const queued: { faults: Faults; remaining: number }[] = [];
  const imageCache = new Map<string, Promise<Buffer>>();
  const calls = { submit: 0, status: 0, images: 0 };
  const doFetch = opts.fetch ?? fetch;
  const maxTasks = opts.maxTasks ?? 5000;
  const onError = opts.onError ?? (() => {});
  let server: http.Server | undefined;

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    t.unref();
    timers.add(t);
  };

  function statusAt(task: EmulatedTask, now: number): { status: KlingTaskStatus; updatedAt: number } {
    if (now >= task.endsAt) return { status: task.outcome, updatedAt: task.endsAt };
    if (now >= task.processingAt) return { status: "processing", updatedAt: task.processingAt };
    return { status: "submitted", updatedAt: task.createdAt };
  }

  function statusBody(taskId: string, now = Date.now()) {
    const task = tasks.get(taskId);
    if (!task) return undefined;
    const { status, updatedAt } = statusAt(task, now);
    return {
      task_id: task.id,
      task_status: status,
      task_status_msg: status === "failed" ? task.failMsg : "",
      task_result: {
        images: status === "succeed" ? Array.from({ length: task.request.n }, (_, index) => ({ index, url: `${task.imagesBase}/images/${task.id}/${index}.png` })) : [],
      },
      created_at: task.createdAt,
      updated_at: updatedAt,
    };
  }

  function scheduleCallbacks(task: EmulatedTask, mode: Faults["callbacks"], dropRate = 0) {
    const url = task.request.callback_url;
    if (!url || mode === "drop") return;
    const send = (at: number) => {
      if (dropRate && Math.random() < dropRate) return;
      const body = statusBody(task.id, at);
      if (!body) return;
      doFetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      })
        .then((r) => r.body?.cancel())
        .catch((err) => onError(`callback to ${new URL(url).host} failed`, err));
    };
    const now = Date.now();
    const moments = [task.processingAt, task.endsAt];
    if (mode === "reorder") {
      // Everything arrives at the end, newest first.
      later(task.endsAt - now, () => {
        send(task.endsAt);
        setTimeout(() => send(task.processingAt), 50).unref();
      });
      return;
    }
    for (const at of moments) {
      later(Math.max(0, at - now), () => {
        send(at);
        if (mode === "duplicate") setTimeout(() => send(at), 30).unref();
      });
    }
  }

  function activeFaults(req: IncomingMessage): Faults {
    const header = req.headers["x-emulator-faults"];
    const fromHeader = parseFaults(Array.isArray(header) ? header.join(";") : header);
    const next = queued[0];
    let fromQueue: Faults = {};
    if (next) {
      fromQueue = next.faults;
      if (--next.remaining <= 0) queued.shift();
    }
    return { ...opts.faults, ...fromQueue, ...fromHeader };
  }

  async function submit(req: IncomingMessage, res: ServerResponse, faults: Faults) {
    calls.submit++;
    const parsed = klingImageRequestSchema.safeParse(await readBody(req));
    if (!parsed.success) return sendError(res, 400, describeIssues(parsed.error));
    const request = parsed.data;
    const now = Date.now();
    const id = randomBytes(16).toString("base64url").slice(0, 22);
    const duration = faults.durationMs ?? opts.durationMs ?? 4000;
    const failRate = faults.failRate ?? opts.failureRate ?? 0;
    const outcome = faults.outcome ?? (Math.random() < failRate ? "failed" : "succeed");
    const task: EmulatedTask = {
      id,
      request,
      createdAt: now,
      processingAt: now + Math.round(duration * 0.25),
      endsAt: now + duration,
      outcome,
      failMsg: "The emulator failed this task on purpose (failure rate or fault injection).",
      imagesBase: opts.publicBaseUrl ?? `http://${req.headers.host ?? "127.0.0.1"}${basePath}`,
      reference: request.image ? loadReference(request.image) : undefined,
    };
    task.reference?.catch(() => {});
    tasks.set(id, task);
    if (tasks.size > maxTasks) tasks.delete(tasks.keys().next().value!);
    scheduleCallbacks(task, faults.callbacks, faults.callbackDropRate);
    sendJson(res, 200, {
      data: {
        code: 0,
        message: "SUCCEED",
        request_id: id,
        data: { task_id: id, task_status: "submitted", created_at: now, updated_at: now },
      },
    });
  }

  async function loadReference(image: string): Promise<Buffer | undefined> {
    if (!/^https?:\/\//i.test(image)) return Buffer.from(image, "base64");
    try {
      const r = await doFetch(image, { signal: AbortSignal.timeout(15_000) });
      if (!r.ok) return undefined;
      return Buffer.from(await r.arrayBuffer());
    } catch {
      return undefined;
    }
  }

  async function status(req: IncomingMessage, res: ServerResponse) {
    calls.status++;
    const parsed = statusRequestSchema.safeParse(await readBody(req));
    if (!parsed.success) return sendError(res, 400, describeIssues(parsed.error));
    const body = statusBody(parsed.data.task_id);
    sendJson(res, 200, body ?? { task_status: "failed", task_status_msg: "task not found" });
  }

  async function image(res: ServerResponse, taskId: string, index: number) {
    calls.images++;
    const task = tasks.get(taskId);
    if (!task || index >= task.request.n || statusAt(task, Date.now()).status !== "succeed") return sendError(res, 404);
    const key = `${taskId}/${index}`;
    let png = imageCache.get(key);
    if (!png) {
      const reference = await task.reference?.catch(() => undefined);
      png = renderPreview({
        prompt: task.request.prompt,
        negativePrompt: task.request.negative_prompt,
        aspectRatio: task.request.aspect_ratio,
        index,
        n: task.request.n,
        reference,
        fidelity: task.request.image_fidelity,
      });
      imageCache.set(key, png);
      png.catch(() => imageCache.delete(key));
      if (imageCache.size > 64) imageCache.delete(imageCache.keys().next().value!);
    }
    const bytes = await png;
    res.writeHead(200, { "Content-Type": "image/png", "Content-Length": bytes.length, "Cache-Control": "public, max-age=86400" });
    res.end(bytes);
  }

  const handler: Handler = async (req, res) => {
    const url = new URL(req.url ?? "/", "http://emulator");
    let path = url.pathname;
    if (basePath && (path === basePath || path.startsWith(basePath + "/"))) path = path.slice(basePath.length) || "/";
    const method = req.method ?? "GET";
    try {
      if (method === "GET" && path === "/") return sendText(res, describeEmulator(basePath));
      const img = /^\/images\/([A-Za-z0-9_-]{1,64})\/(\d)\.png$/.exec(path);
      if (method === "GET" && img) return await image(res, img[1], Number(img[2]));
      const route = method === "POST" && path === APPYPIE_PATHS.submit ? "submit" : method === "POST" && path === APPYPIE_PATHS.status ? "status" : null;
      if (!route) return sendError(res, 404);

      let faults: Faults;
      try {
        faults = activeFaults(req);
      } catch (err) {
        return sendError(res, 400, `X-Emulator-Faults: ${(err as Error).message}`);
      }
      if (faults.latencyMs) await new Promise((ok) => setTimeout(ok, faults.latencyMs));
      const key = req.headers["ocp-apim-subscription-key"];
      const keyValue = Array.isArray(key) ? key[0] : key;
      if (!keyValue || !keyValue.trim() || (opts.keys?.length && !opts.keys.includes(keyValue))) return sendError(res, 401);
      if (faults.status && Math.random() < (faults.errorRate ?? 1)) {
        const retryAfter = faults.retryAfterS ?? (faults.status === 429 ? 1 : undefined);
        return sendError(res, faults.status, undefined, retryAfter);
      }
      if (route === "submit") return await submit(req, res, faults);
      return await status(req, res);
    } catch (err) {
      if (err instanceof BodyError) return sendError(res, err.status, err.message);
      onError("emulator request failed", err);
      if (!res.headersSent) sendError(res, 500);
      else res.end();
    }
  };

  return {
    handler,
    calls,
    statusBody,
    injectFaults(faults, times = 1) {
      queued.push({ faults, remaining: times });
    },
    async listen(port = 0, host = "127.0.0.1") {
      server = http.createServer((req, res) => void handler(req, res));
      await new Promise<void>((resolve, reject) => {
        server!.once("error", reject);
        server!.listen(port, host, () => resolve());
      });
      const actual = (server.address() as AddressInfo).port;
      return { url: `http://${host.includes(":") ? `[${host}]` : host}:${actual}${basePath}`, port: actual };
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((ok) => server!.close(() => ok()));
      }
    },
  };
}

class BodyError extends Error {
  constructor(readonly status: 400 | 413, message: string) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new BodyError(400, "body: must be at most 15 MB");
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    throw new BodyError(400, "body: must be a JSON object");
  }
}

/** "prompt: prompt is required; n: n must be at most 9" → one readable line. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      if (i.code === "unrecognized_keys") return `unknown field${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `"${k}"`).join(", ")}`;
      const field = i.path.join(".");
      return !field || i.message.startsWith(field) ? i.message : `${field}: ${i.message}`;
    })
    .join("; ");
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-cache", ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, detail?: string, retryAfterS?: number) {
  const message = SEED_ERROR_MESSAGES[status as keyof typeof SEED_ERROR_MESSAGES] ?? SEED_ERROR_MESSAGES[500];
  sendJson(res, status, detail ? { error: message, detail } : { error: message }, retryAfterS !== undefined ? { "Retry-After": String(retryAfterS) } : {});
}

function sendText(res: ServerResponse, text: string) {
  res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(text);
}

function describeEmulator(basePath: string): string {
  return `Kling text-to-image emulator (local previews, not real generations)

POST ${basePath}${APPYPIE_PATHS.submit}     submit a task (the seed's request body)
POST ${basePath}${APPYPIE_PATHS.status}  poll a task: { "task_id": "..." }
GET  ${basePath}/images/<task_id>/<index>.png    preview images

Headers: Content-Type: application/json, Ocp-Apim-Subscription-Key: <any non-empty key unless EMULATOR_KEYS is set>
Faults: X-Emulator-Faults: status=429; retry-after=2; error-rate=0.5; latency=300; duration=800; outcome=failed; fail-rate=0.3; callbacks=drop|duplicate|reorder; callback-drop-rate=0.3
`;
}
