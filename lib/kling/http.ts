// JSON over HTTP for the Kling clients: a timeout per attempt, retries with
// exponential backoff and full jitter for 429, 5xx and network faults
// (honouring Retry-After), and no retry for other 4xx answers. Redirects are
// never followed: the subscription key or token would go with them.
import { request } from "undici";
import { deadline } from "../http/deadline";
import { describe, KlingError, kindForHttpStatus } from "./errors";

export type HttpResult = { status: number; json: unknown; text: string; headers: Headers };

export type RetryPolicy = {
  maxRetries: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited out in-process; the error carries it instead. */
  maxRetryAfterMs?: number;
};

export type RequestOptions = RetryPolicy & {
  url: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  /** Instead of undici's request() (tests put scripted transports here). */
  fetch?: typeof fetch;
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
  /** Overrides the status-based retry decision when the body says more (e.g. a quota code under 429). */
  shouldRetry?: (status: number, json: unknown) => boolean;
  random?: () => number;
};

const RETRY_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRY_STATUSES.has(status) || status >= 500;
}

/** Milliseconds from a Retry-After header (seconds or HTTP date), or undefined. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function backoffMs(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const base = policy.baseDelayMs ?? 500;
  const cap = policy.maxDelayMs ?? 8000;
  return Math.round(random() * Math.min(cap, base * 2 ** attempt));
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/**
 * Sends one JSON request with retries. Resolves with any final answer whose
 * status is 2xx or a non-retryable 4xx (callers map those to errors, since
 * only they know the body's shape); throws KlingError when retries run out.
 */
export async function requestJson(opts: RequestOptions): Promise<HttpResult> {
  const sleep = opts.sleep ?? ((ms: number) => defaultSleep(ms, opts.signal));
  const maxRetryAfter = opts.maxRetryAfterMs ?? 20_000;
  let lastError: KlingError | undefined;
  for (let attempt = 0; attempt <= opts.maxRetries; attempt++) {
    if (attempt > 0) {
      const wait = Math.max(backoffMs(attempt - 1, opts, opts.random), lastError?.retryAfterMs ?? 0);
      await sleep(wait);
    }
    let res: Answer;
    const time = deadline(opts.timeoutMs, opts.signal);
    try {
      const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      res = await (opts.fetch ? viaFetch(opts.fetch, opts, body, time.signal) : viaUndici(opts, body, time.signal));
      if (res.status >= 300 && res.status < 400) throw redirectError(opts.url, res.status, res.headers);
    } catch (err) {
      if (err instanceof KlingError) throw err;
      if (opts.signal?.aborted) throw opts.signal.reason ?? err;
      const timedOut = time.timedOut();
      lastError = new KlingError(
        timedOut ? "timeout" : "network",
        timedOut
          ? describe("timeout", undefined, `no answer within ${Math.round(opts.timeoutMs / 1000)} s`)
          : describe("network", undefined, networkReason(err)),
        { cause: timedOut ? "timeout" : networkCode(err) },
      );
      continue;
    } finally {
      time.clear();
    }
    const { status, text, headers } = res;
    const json = parseJson(text);
    const ok = status >= 200 && status < 300;
    const retry = !ok && (opts.shouldRetry ? opts.shouldRetry(status, json) : isRetryableStatus(status));
    if (!retry) return { status, json, text, headers };
    const retryAfterMs = parseRetryAfter(headers.get("retry-after"));
    const kind = kindForHttpStatus(status);
    // The official API's business code (1302 too fast, 1303 parallel limit) is kept for the caller.
    const code = typeof (json as { code?: unknown } | undefined)?.code === "number" ? (json as { code: number }).code : undefined;
    lastError = new KlingError(kind, describe(kind, status, bodyMessage(json)), { status, retryAfterMs, code });
    // A long Retry-After is handed to the caller (the reconciler schedules it) instead of blocking here.
    if (retryAfterMs !== undefined && retryAfterMs > maxRetryAfter) break;
  }
  throw lastError ?? new KlingError("network", describe("network"));
}

/** A whole answer; a 3xx's body is not read. */
type Answer = { status: number; headers: Headers; text: string };

// undici's request(): the global fetch costs about four times its CPU per call
// (README, Performance), on every submit and every status poll.
async function viaUndici(opts: RequestOptions, body: string | undefined, signal: AbortSignal): Promise<Answer> {
  const res = await request(opts.url, { method: opts.method, headers: opts.headers, body, signal });
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  if (res.statusCode >= 300 && res.statusCode < 400) {
    await res.body.dump().catch(() => {});
    return { status: res.statusCode, headers, text: "" };
  }
  return { status: res.statusCode, headers, text: await res.body.text() };
}

async function viaFetch(doFetch: typeof fetch, opts: RequestOptions, body: string | undefined, signal: AbortSignal): Promise<Answer> {
  const res = await doFetch(opts.url, { method: opts.method, headers: opts.headers, body, signal, redirect: "manual" });
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel().catch(() => {});
    return { status: res.status, headers: res.headers, text: "" };
  }
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** A 3xx from upstream: a misconfigured base URL, never followed (credentials would go along). */
function redirectError(url: string, status: number, headers: Headers): KlingError {
  let to = "";
  try {
    const location = headers.get("location");
    if (location) to = ` to ${new URL(location, url).origin}`;
  } catch {
    // an unparseable Location names nothing
  }
  const detail = `a redirect${to}, which the portal does not follow so that credentials stay with ${new URL(url).origin}; check the configured base URL`;
  return new KlingError("invalid_response", describe("invalid_response", status, detail), { status });
}

export function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The human-readable part of an error body, whatever its shape. */
export function bodyMessage(json: unknown): string | undefined {
  if (!json || typeof json !== "object") return undefined;
  const o = json as Record<string, unknown>;
  const parts = [o.error, o.detail, o.message, o.msg, o.task_status_msg].filter((v): v is string => typeof v === "string" && v.length > 0);
  if (o.data && typeof o.data === "object") {
    const inner = bodyMessage(o.data);
    if (inner) parts.push(inner);
  }
  return parts.length ? [...new Set(parts)].join(" — ") : undefined;
}

// The system error code (ECONNREFUSED, ECONNRESET, …): whether a request may
// have reached upstream depends on it. undici's request() puts it on the error,
// fetch on the error's cause.
function networkCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: string } } | undefined;
  return typeof e?.code === "string" ? e.code : e?.cause?.code;
}

function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return networkCode(err) ?? cause?.message ?? (err instanceof Error ? err.message : "connection failed");
}
