// Kling's official API: POST /v1/images/generations and
// GET /v1/images/generations/{task_id | external_task_id}, envelope
// { code, message, request_id, data }; a duplicate external id is its own error kind.
import { trustUpstreamOrigin } from "../http/upstream-origins";
import { describe, KlingError, kindForHttpStatus, type KlingErrorKind } from "./errors";
import { isRetryableStatus, requestJson, type HttpResult } from "./http";
import { createTokenSource } from "./kling-jwt";
import { parseTask } from "./parse-task";
import type { KlingProvider, UpstreamTask } from "./provider";
import type { KlingImageRequest } from "./schema";

export const OFFICIAL_PATH = "/v1/images/generations";

export type OfficialOptions = {
  baseUrl: string;
  accessKey: string;
  secretKey: string;
  model?: string;
  timeoutMs: number;
  maxRetries: number;
  fetch?: typeof fetch;
  now?: () => number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
};

/** Kling's business codes → error kinds. */
export function kindForBusinessCode(code: number): KlingErrorKind | undefined {
  if (code >= 1000 && code <= 1004) return "auth";
  if (code === 1100 || code === 1103) return "forbidden";
  if (code === 1101 || code === 1102) return "quota";
  if (code >= 1200 && code <= 1202) return "bad_request";
  if (code === 1203) return "not_found";
  if (code === 1300 || code === 1301) return "policy";
  if (code === 1302 || code === 1303) return "rate_limited";
  if (code === 1304) return "forbidden";
  if (code >= 5000 && code <= 5002) return "server";
  return undefined;
}

export function createOfficialClient(opts: OfficialOptions): KlingProvider {
  const base = opts.baseUrl.replace(/\/+$/, "");
  // Its image links may be on the same (possibly private) origin: downloads from it are allowed.
  trustUpstreamOrigin(base);
  const token = createTokenSource({ accessKey: opts.accessKey, secretKey: opts.secretKey, now: opts.now });
  const call = async (method: "GET" | "POST", path: string, body: unknown, o: { signal?: AbortSignal; maxRetries?: number }) =>
    requestJson({
      url: base + path,
      method,
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${await token()}` },
      body,
      timeoutMs: opts.timeoutMs,
      maxRetries: o.maxRetries ?? opts.maxRetries,
      baseDelayMs: opts.baseDelayMs,
      fetch: opts.fetch,
      signal: o.signal,
      sleep: opts.sleep,
      shouldRetry: (status, json) => {
        const code = (json as { code?: unknown } | undefined)?.code;
        const kind = typeof code === "number" ? kindForBusinessCode(code) : undefined;
        return kind ? ["rate_limited", "server"].includes(kind) : isRetryableStatus(status);
      },
    });

  return {
    name: "kling",
    async submit(request: KlingImageRequest, o = {}) {
      const body = {
        ...(opts.model ? { model_name: opts.model } : {}),
        ...Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined && v !== null)),
        ...(o.externalTaskId ? { external_task_id: o.externalTaskId } : {}),
      };
      const task = unwrap(await call("POST", OFFICIAL_PATH, body, o), { externalIdSent: !!o.externalTaskId });
      // A task refused at creation arrives as 200 with the reason only in task_status_msg.
      if (task.status === "failed") throw new KlingError("bad_request", describe("bad_request", undefined, task.statusMsg || "the task failed at once"));
      return task;
    },
    async getStatus(taskId: string, o = {}) {
      return unwrap(await call("GET", `${OFFICIAL_PATH}/${encodeURIComponent(taskId)}`, undefined, o));
    },
    async lookup(externalTaskId: string, o = {}) {
      try {
        return unwrap(await call("GET", `${OFFICIAL_PATH}/${encodeURIComponent(externalTaskId)}`, undefined, o));
      } catch (err) {
        if (err instanceof KlingError && err.kind === "not_found") return null;
        throw err;
      }
    },
    parseCallback(body: unknown): UpstreamTask {
      return parseTask(body);
    },
  };
}

function unwrap(res: HttpResult, o: { externalIdSent?: boolean } = {}): UpstreamTask {
  const env = res.json as { code?: unknown; message?: unknown; request_id?: unknown; data?: unknown } | undefined;
  const code = typeof env?.code === "number" ? env.code : undefined;
  const message = typeof env?.message === "string" ? env.message : undefined;
  const requestId = typeof env?.request_id === "string" ? env.request_id : undefined;
  if (code !== undefined && code !== 0) {
    // Code 1201 naming external_task_id on a submit that sent one: Kling already has that task.
    const duplicate = o.externalIdSent && code === 1201 && /external_task_id/i.test(message ?? "");
    const kind = duplicate ? "duplicate" : (kindForBusinessCode(code) ?? kindForHttpStatus(Math.max(res.status, 400)));
    throw new KlingError(kind, describe(kind, res.status >= 400 ? res.status : undefined, `${message ?? "error"} (code ${code})`), {
      status: res.status,
      code,
      requestId,
    });
  }
  if (res.status < 200 || res.status >= 300) {
    const kind = kindForHttpStatus(res.status);
    throw new KlingError(kind, describe(kind, res.status, message ?? (res.json === undefined ? "the answer was not JSON" : undefined)), { status: res.status });
  }
  if (env === undefined) throw new KlingError("invalid_response", describe("invalid_response", res.status, "the answer was not JSON"));
  return parseTask({ data: env.data });
}
