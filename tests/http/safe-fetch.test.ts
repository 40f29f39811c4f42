// The safe outbound fetch against scripted servers on 127.0.0.1: private
// targets in every spelling refused, redirects capped and re-checked, the body
// capped, credentials kept from other origins. Name resolution is injected.
import type dns from "node:dns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { safeFetch, SafeFetchError, type LookupFn, type SafeFetchOptions } from "@/lib/http/safe-fetch";
import { startScriptedServer, type Reply } from "../helpers/http-server";

type Server = Awaited<ReturnType<typeof startScriptedServer>>;

/** A lookup answering every name with these addresses, counting its calls. */
function resolver(addresses: string[] | (() => string[])) {
  const calls: string[] = [];
  const fn = ((hostname: string, options: dns.LookupOptions, cb: (err: Error | null, a: unknown, f?: number) => void) => {
    calls.push(hostname);
    const list = (typeof addresses === "function" ? addresses() : addresses).map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
    if (options?.all) cb(null, list);
    else cb(null, list[0].address, list[0].family);
  }) as unknown as LookupFn;
  return { fn, calls };
}

async function refusal(p: Promise<unknown>): Promise<SafeFetchError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SafeFetchError);
  return err as SafeFetchError;
}

const base: SafeFetchOptions = { purpose: "callback_url", timeoutMs: 5000, maxBytes: 1024 };

let target: Server;
let other: Server;
let port: string;

beforeAll(async () => {
  target = await startScriptedServer((r): Reply => {
    const hop = /^\/hop\/(\d+)$/.exec(r.url);
    if (hop) return Number(hop[1]) > 0 ? { status: 302, headers: { Location: `/hop/${Number(hop[1]) - 1}` } } : { status: 200, body: '{"end":true}' };
    if (r.url === "/metadata") return { status: 302, headers: { Location: "http://169.254.169.254/latest/meta-data/" } };
    if (r.url === "/to-loopback-name") return { status: 307, headers: { Location: `http://internal.example.test:${port}/hop/0` } };
    if (r.url === "/to-other") return { status: 307, headers: { Location: `http://other.example.test:${new URL(other.url).port}/landing` } };
    if (r.url === "/same-origin") return { status: 307, headers: { Location: "/hop/0" } };
    if (r.url === "/see-other") return { status: 303, headers: { Location: "/hop/0" } };
    if (r.url === "/ftp") return { status: 302, headers: { Location: "ftp://example.com/x" } };
    if (r.url === "/big") return { status: 200, body: "x".repeat(4096) };
    if (r.url === "/big-chunked") return { status: 200, body: "y".repeat(4096), headers: { "Transfer-Encoding": "chunked" } };
    if (r.url === "/slow") return { status: 200, delayMs: 2000 };
    return { status: 200, body: "{}" };
  });
  other = await startScriptedServer(() => ({ status: 200, body: "{}" }));
  port = new URL(target.url).port;
});

afterAll(async () => {
  await target.close();
  await other.close();
});

describe("safeFetch refuses what is not public", () => {
  it("a name resolving to 127.0.0.1, checked on the resolution used to connect", async () => {
    const lookup = resolver(["127.0.0.1"]);
    const err = await refusal(safeFetch(`http://hooks.example.test:${port}/hop/0`, { ...base, lookup: lookup.fn }));
    expect(err.message).toBe("callback_url resolves to 127.0.0.1, a loopback address: only public addresses are allowed");
    expect(err.kind).toBe("refused");
    expect(lookup.calls).toContain("hooks.example.test");
    expect(target.received).toHaveLength(0);
  });

  it("DNS rebinding: public when asked first, private when connecting", async () => {
    let n = 0;
    const lookup = resolver(() => (n++ === 0 ? ["93.184.216.34"] : ["127.0.0.1"]));
    // A check made before connecting (the first resolution) sees a public address…
    await new Promise<void>((ok) => lookup.fn("rebind.example.test", { all: true }, () => ok()));
    // …the connection resolves again and is refused.
    const err = await refusal(safeFetch(`http://rebind.example.test:${port}/hop/0`, { ...base, lookup: lookup.fn }));
    expect(err.message).toMatch(/^callback_url resolves to 127\.0\.0\.1, a loopback address/);
  });

  it("a name with one private address among public ones", async () => {
    const err = await refusal(safeFetch(`http://mixed.example.test:${port}/`, { ...base, lookup: resolver(["93.184.216.34", "10.0.0.7"]).fn }));
    expect(err.message).toBe("callback_url resolves to 10.0.0.7, a private address: only public addresses are allowed");
  });

  it.each([
    [`http://[::1]:PORT/`, "::1", "loopback"],
    [`http://[::ffff:127.0.0.1]:PORT/`, "127.0.0.1", "loopback"],
    [`http://2130706433:PORT/`, "127.0.0.1", "loopback"],
    [`http://0177.0.0.1:PORT/`, "127.0.0.1", "loopback"],
    [`http://0x7f.1:PORT/`, "127.0.0.1", "loopback"],
    [`http://0.0.0.0:PORT/`, "0.0.0.0", "unspecified"],
    [`http://169.254.169.254/latest/meta-data/`, "169.254.169.254", "link-local"],
    [`http://[fd00::1]/`, "fd00::1", "unique-local (private IPv6)"],
    [`http://192.168.1.1/`, "192.168.1.1", "private"],
  ])("%s", async (url, ip, range) => {
    const err = await refusal(safeFetch(url.replace("PORT", port), base));
    expect(err.message).toBe(`callback_url is ${ip}, a ${range} address: only public addresses are allowed`);
  });

  it("a redirect to 169.254.169.254 from an allowed origin", async () => {
    const err = await refusal(safeFetch(`${target.url}/metadata`, { ...base, purpose: "image URL", allowOrigins: [target.url] }));
    expect(err.message).toBe("image URL redirects to 169.254.169.254, a link-local address: only public addresses are allowed");
  });

  it("a redirect to a name that resolves to loopback", async () => {
    const err = await refusal(safeFetch(`${target.url}/to-loopback-name`, { ...base, allowOrigins: [target.url], lookup: resolver(["127.0.0.1"]).fn }));
    expect(err.message).toBe(
      `callback_url redirects to internal.example.test:${port}, which resolves to 127.0.0.1, a loopback address: only public addresses are allowed`,
    );
  });

  it("schemes other than http(s), directly or by redirect", async () => {
    expect((await refusal(safeFetch("file:///etc/passwd", base))).message).toBe("callback_url is not http(s) (file:): only http and https are allowed");
    const err = await refusal(safeFetch(`${target.url}/ftp`, { ...base, allowOrigins: [target.url] }));
    expect(err.message).toBe("callback_url redirects to a URL that is not http(s) (ftp:): only http and https are allowed");
  });
});

describe("safeFetch limits", () => {
  const allowed = () => ({ ...base, allowOrigins: [target.url] });

  it("follows three redirects and refuses a fourth", async () => {
    const ok = await safeFetch(`${target.url}/hop/3`, allowed());
    expect(ok.status).toBe(200);
    expect(ok.redirects).toBe(3);
    expect(ok.body.toString()).toBe('{"end":true}');
    const err = await refusal(safeFetch(`${target.url}/hop/4`, allowed()));
    expect(err.message).toBe("callback_url redirected more than 3 times");
  });

  it("refuses a body over the cap, announced or streamed", async () => {
    const err = await refusal(safeFetch(`${target.url}/big`, allowed()));
    expect(err.kind).toBe("too-large");
    expect(err.message).toBe(`callback_url at 127.0.0.1:${port} is larger than 1 KB`);
    expect((await refusal(safeFetch(`${target.url}/big-chunked`, allowed()))).kind).toBe("too-large");
    expect((await safeFetch(`${target.url}/big`, { ...allowed(), readBody: false })).status).toBe(200);
  });

  it("gives up after its time cap", async () => {
    const err = await refusal(safeFetch(`${target.url}/slow`, { ...allowed(), timeoutMs: 200 }));
    expect(err.kind).toBe("timeout");
    expect(err.message).toBe(`callback_url at 127.0.0.1:${port} did not answer within 0.2 s`);
  });

  it("names a refused connection by its code", async () => {
    const closed = await startScriptedServer();
    await closed.close();
    const err = await refusal(safeFetch(closed.url, { ...base, allowPrivate: true }));
    expect(err.kind).toBe("network");
    expect(err.code).toBe("ECONNREFUSED");
    expect(err.message).toBe(`callback_url at ${new URL(closed.url).host} could not be reached (ECONNREFUSED)`);
  });
});

describe("safeFetch credentials and methods on redirects", () => {
  const secrets = { Authorization: "Bearer s3cret", Cookie: "session=s3cret", "Ocp-Apim-Subscription-Key": "s3cret", "X-Trace": "kept" };

  it("drops credentials on a redirect to another host, keeps the method and body of a 307", async () => {
    const lookup = resolver(["127.0.0.1"]);
    const otherOrigin = `http://other.example.test:${new URL(other.url).port}`;
    const res = await safeFetch(`${target.url}/to-other`, {
      ...base,
      method: "POST",
      body: '{"a":1}',
      headers: { ...secrets, "Content-Type": "application/json" },
      allowOrigins: [target.url, otherOrigin],
      lookup: lookup.fn,
    });
    expect(res.status).toBe(200);
    expect(target.received.at(-1)!.headers.authorization).toBe("Bearer s3cret");
    const landed = other.received.at(-1)!;
    expect(landed).toMatchObject({ method: "POST", url: "/landing", body: '{"a":1}' });
    expect(landed.headers.authorization).toBeUndefined();
    expect(landed.headers.cookie).toBeUndefined();
    expect(landed.headers["ocp-apim-subscription-key"]).toBeUndefined();
    expect(landed.headers["x-trace"]).toBe("kept");
  });

  it("keeps them on the same origin; a 303 continues as GET without the body", async () => {
    await safeFetch(`${target.url}/same-origin`, { ...base, headers: secrets, allowOrigins: [target.url] });
    expect(target.received.at(-1)!).toMatchObject({ url: "/hop/0" });
    expect(target.received.at(-1)!.headers.authorization).toBe("Bearer s3cret");
    await safeFetch(`${target.url}/see-other`, { ...base, method: "POST", body: "{}", allowOrigins: [target.url] });
    expect(target.received.at(-1)!).toMatchObject({ method: "GET", url: "/hop/0", body: "" });
  });

  it("allowPrivate reaches loopback (still capped)", async () => {
    expect((await safeFetch(`${target.url}/hop/0`, { ...base, allowPrivate: true })).status).toBe(200);
    expect((await refusal(safeFetch(`${target.url}/hop/4`, { ...base, allowPrivate: true }))).message).toMatch(/more than 3 times/);
  });
});
