// The one outbound fetch for URLs a user or an upstream chose (callers'
// callbacks, reference images, upstream image links, and their redirects): the
// address is checked on the IP actually connected to (DNS rebinding cannot slip
// a private address in), redirects are followed by hand and re-checked, the
// time and the body are capped, and credentials never follow a redirect to
// another origin. Messages name hosts and addresses only, never paths or queries.
import dns from "node:dns";
import type { LookupFunction } from "node:net";
import { Agent, fetch as undiciFetch } from "undici";
import { type Deadline, deadline } from "./deadline";
import { describeNonPublic, isIpLiteral, normalizeIp } from "./ip-ranges";
import { readCapped } from "./read-capped";

export type LookupFn = typeof dns.lookup;

export type SafeFetchOptions = {
  /** What the URL is, for messages: "callback_url", "image URL", "reference image". */
  purpose: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** For the whole exchange: every redirect and the body included. */
  timeoutMs: number;
  maxBytes: number;
  /** false discards the answer's body (a callback needs only the status). */
  readBody?: boolean;
  maxRedirects?: number;
  /** Origins (scheme://host:port) reached whatever they resolve to: the configured upstream, the portal itself. */
  allowOrigins?: readonly string[];
  /** Any address is allowed (CALLBACK_ALLOW_PRIVATE, for callers' callbacks only). Schemes, redirects and caps still apply. */
  allowPrivate?: boolean;
  /** Name resolution (tests inject one); dns.lookup by default. */
  lookup?: LookupFn;
  signal?: AbortSignal;
};

export type SafeResponse = { status: number; ok: boolean; headers: Headers; body: Buffer; redirects: number };

export type SafeFetchErrorKind = "refused" | "too-large" | "timeout" | "network";

export class SafeFetchError extends Error {
  constructor(
    readonly kind: SafeFetchErrorKind,
    message: string,
    /** The system error code of a network failure (ECONNREFUSED, …). */
    readonly code?: string,
  ) {
    super(message);
    this.name = "SafeFetchError";
  }
}

export const MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that carry credentials: never sent on to another origin. */
const CREDENTIALS = ["authorization", "proxy-authorization", "cookie", "ocp-apim-subscription-key"];

/** Thrown from the connect-time lookup; carries what the message needs. */
class BlockedAddress extends Error {
  constructor(
    readonly address: string,
    readonly why: string,
  ) {
    super(`${address} is ${why}`);
  }
}

/** A lookup that fails when any address of the name is not public: the check runs on what is connected to. */
function guardedLookup(resolve: LookupFn): LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    resolve(hostname, options, ((err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => {
      if (err) return callback(err);
      const list = Array.isArray(address) ? address : [{ address, family }];
      for (const a of list) {
        const why = describeNonPublic(a.address);
        if (why) return callback(new BlockedAddress(normalizeIp(a.address), why));
      }
      callback(null, address, family);
    }) as never);
  }) as LookupFunction;
}

export async function safeFetch(url: string | URL, opts: SafeFetchOptions): Promise<SafeResponse> {
  const { purpose } = opts;
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw new SafeFetchError("refused", `${purpose} is not a valid URL`);
  }
  const allowed = new Set((opts.allowOrigins ?? []).map((o) => new URL(o).origin));
  const maxRedirects = opts.maxRedirects ?? MAX_REDIRECTS;
  const time = deadline(opts.timeoutMs, opts.signal);
  const { signal } = time;
  const guarded = new Agent({ connect: { lookup: guardedLookup(opts.lookup ?? dns.lookup) } });
  const open = new Agent(opts.lookup ? { connect: { lookup: opts.lookup as LookupFunction } } : {});
  let method = opts.method ?? "GET";
  let body = opts.body;
  const headers = new Headers(opts.headers);
  try {
    for (let hop = 0; ; hop++) {
      const where = hop === 0 ? purpose : `${purpose} redirects to ${current.host}, which`;
      if (current.protocol !== "http:" && current.protocol !== "https:") {
        throw new SafeFetchError(
          "refused",
          `${hop === 0 ? purpose : `${purpose} redirects to a URL that`} is not http(s) (${current.protocol}): only http and https are allowed`,
        );
      }
      const trusted = opts.allowPrivate || allowed.has(current.origin);
      const host = current.hostname.replace(/^\[|\]$/g, "");
      if (!trusted && isIpLiteral(host)) {
        const why = describeNonPublic(host);
        if (why) throw refusedAddress(hop === 0 ? `${purpose} is` : `${purpose} redirects to`, normalizeIp(host), why);
      }
      let res: Awaited<ReturnType<typeof undiciFetch>>;
      try {
        res = await undiciFetch(current, {
          method,
          headers,
          body: body as string | undefined,
          redirect: "manual",
          signal,
          dispatcher: trusted ? open : guarded,
        });
      } catch (err) {
        const blocked = findCause(err, BlockedAddress);
        if (blocked) throw refusedAddress(`${where} resolves to`, blocked.address, blocked.why);
        throw failure(err, current, opts, time);
      }
      const location = res.headers.get("location");
      if (REDIRECTS.has(res.status) && location) {
        await res.body?.cancel().catch(() => {});
        if (hop >= maxRedirects) throw new SafeFetchError("refused", `${purpose} redirected more than ${maxRedirects} times`);
        let next: URL;
        try {
          next = new URL(location, current);
        } catch {
          throw new SafeFetchError("refused", `${purpose} redirects to an invalid URL`);
        }
        if (next.origin !== current.origin) for (const h of CREDENTIALS) headers.delete(h);
        // As browsers do: 303, and 301/302 after a POST, continue as a GET without the body.
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
          method = "GET";
          body = undefined;
          headers.delete("content-type");
          headers.delete("content-length");
        }
        current = next;
        continue;
      }
      const tooLarge = () => new SafeFetchError("too-large", `${purpose} at ${current.host} is larger than ${formatBytes(opts.maxBytes)}`);
      let bytes: Buffer = Buffer.alloc(0);
      try {
        if (opts.readBody === false) await res.body?.cancel().catch(() => {});
        else if (Number(res.headers.get("content-length") ?? 0) > opts.maxBytes) {
          await res.body?.cancel().catch(() => {});
          throw tooLarge();
        } else bytes = await readCapped(res.body as ReadableStream<Uint8Array> | null, opts.maxBytes, tooLarge);
      } catch (err) {
        if (err instanceof SafeFetchError) throw err;
        throw failure(err, current, opts, time);
      }
      return { status: res.status, ok: res.ok, headers: res.headers as unknown as Headers, body: bytes, redirects: hop };
    }
  } finally {
    time.clear();
    void guarded.destroy().catch(() => {});
    void open.destroy().catch(() => {});
  }
}

function refusedAddress(prefix: string, address: string, why: string): SafeFetchError {
  return new SafeFetchError("refused", `${prefix} ${address}, ${why}: only public addresses are allowed`);
}

function failure(err: unknown, url: URL, opts: SafeFetchOptions, time: Deadline): Error {
  if (opts.signal?.aborted) return opts.signal.reason instanceof Error ? opts.signal.reason : new Error("aborted");
  if (time.timedOut()) return new SafeFetchError("timeout", `${opts.purpose} at ${url.host} did not answer within ${Math.round(opts.timeoutMs / 100) / 10} s`);
  const { code, message } = deepestCause(err);
  return new SafeFetchError("network", `${opts.purpose} at ${url.host} could not be reached (${code ?? message ?? "network error"})`, code);
}

function findCause<T>(err: unknown, type: new (...args: never[]) => T): T | undefined {
  for (let e = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof type) return e;
    if (e instanceof AggregateError) for (const inner of e.errors) if (inner instanceof type) return inner;
  }
  return undefined;
}

/** The innermost system error code and message of a fetch failure ("fetch failed" says nothing). */
function deepestCause(err: unknown): { code?: string; message?: string } {
  const out: { code?: string; message?: string } = {};
  for (let e = (err as { cause?: unknown })?.cause, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string") out.code = code;
    if (typeof message === "string" && message) out.message = message;
  }
  return out;
}

function formatBytes(n: number): string {
  return n >= 1048576 ? `${Math.round(n / 1048576)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} bytes`;
}
