// The seed's gateway (Appy Pie): two POST endpoints authenticated by
// Ocp-Apim-Subscription-Key. Also the client of the built-in emulator.
import { trustUpstreamOrigin } from "../http/upstream-origins";
import { describe, KlingError, kindForHttpStatus } from "./errors";
import { bodyMessage, requestJson, type HttpResult } from "./http";
import { findTaskObject, isTaskNotFoundBody, parseTask } from "./parse-task";
import type { KlingProvider, UpstreamTask } from "./provider";
import type { KlingImageRequest } from "./schema";

export const APPYPIE_PATHS = {
  submit: "/kling-ai-image/v1/getImageTask",
  status: "/kling-ai-polling/v1/getImageStatus",
} as const;

export type AppyPieOptions = {
  baseUrl: string;
  subscriptionKey: string;
  timeoutMs: number;
  maxRetries: number;
  name?: "appypie" | "local";
  fetch?: typeof fetch;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
};

export function createAppyPieClient(opts: AppyPieOptions): KlingProvider {
  const base = opts.baseUrl.replace(/\/+$/, "");
  // Its image links may be on the same (possibly private) origin: downloads from it are allowed.
  trustUpstreamOrigin(base);
  const headers = {
    "Content-Type": "application/json",
    "Cache-Control": "no-cache",
    "Ocp-Apim-Subscription-Key": opts.subscriptionKey,
  };
  const call = (path: string, body: unknown, o: { signal?: AbortSignal; maxRetries?: number }) =>
    requestJson({
      url: base + path,
      method: "POST",
      headers,
      body,
      timeoutMs: opts.timeoutMs,
      maxRetries: o.maxRetries ?? opts.maxRetries,
      baseDelayMs: opts.baseDelayMs,
      fetch: opts.fetch,
      signal: o.signal,
      sleep: opts.sleep,
    });

  return {
    name: opts.name ?? "appypie",
    async submit(request: KlingImageRequest, o = {}) {
      const res = await call(APPYPIE_PATHS.submit, withoutEmpty(request), o);
      failOnError(res);
      const task = taskOrThrow(res);
      if (task.status === "failed") throw new KlingError("bad_request", describe("bad_request", undefined, task.statusMsg || "the task failed at once"));
      return task;
    },
    async getStatus(taskId: string, o = {}) {
      const res = await call(APPYPIE_PATHS.status, { task_id: taskId }, o);
      failOnError(res);
      if (isTaskNotFoundBody(res.json)) throw new KlingError("not_found", describe("not_found", undefined, "task not found"), { status: res.status });
      return taskOrThrow(res);
    },
    parseCallback(body: unknown): UpstreamTask {
      return parseTask(body);
    },
  };
}

function withoutEmpty(request: KlingImageRequest): Record<string, unknown> {
  return Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined && v !== null));
}

function failOnError(res: HttpResult): void {
  if (res.status >= 200 && res.status < 300) {
    // A 200 envelope with a non-zero business code is still a failure.
    const code = envelopeCode(res.json);
    if (code !== undefined && code !== 0 && !findTaskObject(res.json)) {
      throw new KlingError("bad_request", describe("bad_request", res.status, bodyMessage(res.json)), { status: res.status, code });
    }
    return;
  }
  const kind = kindForHttpStatus(res.status);
  throw new KlingError(kind, describe(kind, res.status, bodyMessage(res.json) ?? (res.json === undefined ? "the answer was not JSON" : undefined)), {
    status: res.status,
  });
}

function taskOrThrow(res: HttpResult): UpstreamTask {
  if (res.json === undefined)
    throw new KlingError("invalid_response", describe("invalid_response", res.status, "the answer was not JSON"), { status: res.status });
  try {
    return parseTask(res.json);
  } catch (err) {
    const detail = bodyMessage(res.json);
    if (detail && err instanceof KlingError) throw new KlingError("invalid_response", describe("invalid_response", res.status, detail), { status: res.status });
    throw err;
  }
}

function envelopeCode(json: unknown): number | undefined {
  if (!json || typeof json !== "object") return undefined;
  const o = json as { code?: unknown; data?: { code?: unknown } };
  const code = o.data && typeof o.data === "object" && "code" in o.data ? o.data.code : o.code;
  return typeof code === "number" ? code : undefined;
}
