// Request and response plumbing shared by the emulator's listeners: a capped
// JSON body reader and small JSON/text writers.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";

export const MAX_BODY = 15 * 1024 * 1024;

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a JSON body of at most `max` bytes; BodyError when it is too big or not JSON. */
// One read per request: the handler reads the body as soon as it arrives (a
// real server has the request in hand before it starts working), so a client
// that gives up during injected latency still leaves a request that is served.
const bodies = new WeakMap<IncomingMessage, Promise<unknown>>();

export function readBody(req: IncomingMessage, max = MAX_BODY): Promise<unknown> {
  let body = bodies.get(req);
  if (!body) {
    body = readBodyOnce(req, max);
    bodies.set(req, body);
  }
  return body;
}

async function readBodyOnce(req: IncomingMessage, max: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max)
      throw new BodyError(400, `body: must be at most ${max >= 1024 * 1024 ? `${Math.round(max / 1024 / 1024)} MB` : `${Math.round(max / 1024)} KB`}`);
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

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-cache", ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, text: string) {
  res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(text);
}

export const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
