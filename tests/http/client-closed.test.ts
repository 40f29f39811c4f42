// A request its client closed mid-way is answered 499 (nginx's "client closed request"), on the
// portal's routes and the seed's alike, instead of being logged and counted as the portal's 500.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { seedErrors } from "@/lib/gateway/gateway-route";
import { readJson } from "@/lib/http/read-json";
import { route } from "@/lib/http/route";

const schema = z.object({ prompt: z.string() });
const handler = route(async (req) => Response.json(await readJson(req, schema)));
const ctx = { params: Promise.resolve({}) };

/** A POST whose body stream fails as Node's does when the socket closes early; `leave` also aborts its signal, as Next.js does then. */
function brokenPost(leave: boolean) {
  const gone = new AbortController();
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (leave) gone.abort();
      c.error(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
    },
  });
  return new Request("http://portal/api/x", {
    method: "POST",
    body,
    headers: { "content-type": "application/json" },
    signal: gone.signal,
    duplex: "half",
  } as RequestInit);
}

describe("route", () => {
  it("answers 499 client_closed_request when the client closed the request while its body was read", async () => {
    const res = await handler(brokenPost(true), ctx);
    expect(res.status).toBe(499);
    expect(await res.json()).toEqual({ error: { code: "client_closed_request", message: "The client closed the request" } });
  });

  it("still answers 500 for the same failure while the client is there", async () => {
    const res = await handler(brokenPost(false), ctx);
    expect(res.status).toBe(500);
    expect((await res.json()).error.code).toBe("internal");
  });
});

describe("seedErrors", () => {
  it("answers 499 for a failure after the caller left, and the seed's bare 500 while it is there", async () => {
    for (const [leave, status] of [
      [true, 499],
      [false, 500],
    ] as const) {
      const req = brokenPost(leave);
      const res = await seedErrors(req, () => req.text().then(() => new Response("unreachable")));
      expect(res.status).toBe(status);
    }
  });
});
