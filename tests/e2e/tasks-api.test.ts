// The portal's task API over real HTTP against the production build: bad
// input never writes anything, history filters and pages, idempotent
// submits, forged callbacks, and a task in flight surviving a hard kill.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "@/lib/kling/emulator/server";
import { makePng } from "../helpers/images";
import { startPortal, type Portal } from "./helpers/portal";
import { signIn, signUp, type Session } from "./helpers/session";

let portal: Portal;
let user: Session;

const post = (session: Session, body: unknown, headers: Record<string, string> = {}) =>
  session.fetch("/api/tasks", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

async function filesUnder(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch {
    return [];
  }
}

beforeAll(async () => {
  portal = await startPortal();
  user = await signUp(portal.url, "tester@example.com");
});
afterAll(() => portal?.stop());

describe("bad input on POST /api/tasks", () => {
  it("answers 4xx naming the field, and writes no row and no file", async () => {
    const small = (await makePng(299, 400)).toString("base64");
    const cases: [unknown, number, string, RegExp][] = [
      [{}, 400, "prompt", /prompt/],
      [{ prompt: "x".repeat(501) }, 400, "prompt", /at most 500/],
      [{ prompt: "p", negative_prompt: "n".repeat(201) }, 400, "negative_prompt", /at most 200/],
      [{ prompt: "p", n: 0 }, 400, "n", /at least 1/],
      [{ prompt: "p", n: 10 }, 400, "n", /at most 9/],
      [{ prompt: "p", n: 2.5 }, 400, "n", /whole number/],
      [{ prompt: "p", n: "3" }, 400, "n", /whole number/],
      [{ prompt: "p", image_fidelity: 1.5 }, 400, "image_fidelity", /between 0 and 1/],
      [{ prompt: "p", image_fidelity: "high" }, 400, "image_fidelity", /number/],
      [{ prompt: "p", aspect_ratio: "5:4" }, 400, "aspect_ratio", /one of 16:9/],
      [{ prompt: 42 }, 400, "prompt", /string/],
      [{ prompt: "p", callback_url: "https://example.com" }, 400, "callback_url", /Unknown field/],
      [{ prompt: "p", style: "anime" }, 400, "style", /Unknown field/],
      [{ prompt: "p", image: Buffer.from("definitely not an image").toString("base64") }, 400, "image", /PNG or JPEG/],
      [{ prompt: "p", image: small }, 400, "image", /at least 300 px/],
      [{ prompt: "p", image: "ftp://example.com/a.png" }, 400, "image", /URL or Base64/],
      [[1, 2], 400, "body", /object/],
    ];
    for (const [body, status, field, message] of cases) {
      const res = await post(user, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      const json = await res.json();
      expect(json.error.fields?.[field], `${field} for ${JSON.stringify(body).slice(0, 80)}`).toMatch(message);
    }
    const notJson = await post(user, "{prompt: nope");
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error.message).toMatch(/JSON/);
    const huge = await post(user, JSON.stringify({ prompt: "p", image: "A".repeat(15 * 1024 * 1024) }));
    expect(huge.status).toBe(413);

    expect((await (await user.fetch("/api/tasks")).json()).tasks).toEqual([]);
    expect(await filesUnder(path.join(portal.dataDir, "images"))).toEqual([]);
  });

  it("rejects bad list queries and forged callback secrets", async () => {
    expect((await user.fetch("/api/tasks?status=done")).status).toBe(400);
    expect((await user.fetch("/api/tasks?limit=1000")).status).toBe(400);
    expect((await user.fetch("/api/tasks?cursor=garbage")).status).toBe(400);
    const forged = await fetch(`${portal.url}/api/callbacks/kling/${"x".repeat(32)}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ task_id: "t", task_status: "succeed", task_result: { images: [{ index: 0, url: "https://evil.example/x.png" }] } }),
    });
    expect(forged.status).toBe(404);
  });
});

describe("history and submits", () => {
  it("pages newest first with a cursor, filters by status and searches prompts", async () => {
    const other = await signUp(portal.url, "pager@example.com");
    const ids: string[] = [];
    for (const prompt of ["alpha lighthouse", "beta forest", "gamma lighthouse", "delta desert", "epsilon lighthouse"]) {
      const res = await post(other, { prompt });
      expect(res.status).toBe(202);
      ids.push((await res.json()).id);
    }
    const seen: string[] = [];
    let cursor = "";
    for (let page = 0; page < 5; page++) {
      const res = await (await other.fetch(`/api/tasks?limit=2${cursor ? `&cursor=${cursor}` : ""}`)).json();
      seen.push(...res.tasks.map((t: { id: string }) => t.id));
      if (!res.hasMore) break;
      cursor = res.nextCursor;
    }
    expect(seen).toEqual([...ids].reverse());
    const search = await (await other.fetch("/api/tasks?q=LIGHTHOUSE")).json();
    expect(search.tasks.map((t: { prompt: string }) => t.prompt)).toEqual(["epsilon lighthouse", "gamma lighthouse", "alpha lighthouse"]);
    for (let i = 0; i < 60; i++) {
      const done = await (await other.fetch("/api/tasks?status=succeed")).json();
      if (done.tasks.length === 5) break;
      await new Promise((ok) => setTimeout(ok, 250));
    }
    expect((await (await other.fetch("/api/tasks?status=succeed")).json()).tasks).toHaveLength(5);
    expect((await (await other.fetch("/api/tasks?status=failed")).json()).tasks).toHaveLength(0);
    expect((await (await user.fetch("/api/tasks")).json()).tasks).toHaveLength(0);
  });

  it("returns the same task for a retried submit with the same Idempotency-Key", async () => {
    const first = await post(user, { prompt: "once only" }, { "Idempotency-Key": "abc-123" });
    const again = await post(user, { prompt: "once only" }, { "Idempotency-Key": "abc-123" });
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect((await again.json()).id).toBe((await first.json()).id);
  });

  it("answers 400 naming the header for an Idempotency-Key over 200 characters, and 422 for a key reused with a different request", async () => {
    const long = await post(user, { prompt: "too long a key" }, { "Idempotency-Key": "k".repeat(201) });
    expect(long.status).toBe(400);
    expect((await long.json()).error).toMatchObject({
      code: "invalid_request",
      message: "Idempotency-Key must be at most 200 characters",
      fields: { "Idempotency-Key": "at most 200 characters" },
    });
    expect((await post(user, { prompt: "first body" }, { "Idempotency-Key": "web-422" })).status).toBe(202);
    const changed = await post(user, { prompt: "second body" }, { "Idempotency-Key": "web-422" });
    expect(changed.status).toBe(422);
    expect(await changed.json()).toEqual({
      error: {
        code: "idempotency_mismatch",
        message: "Idempotency-Key was already used in the last 24 hours with a different request; send a new key for a new request",
      },
    });
    const prompts = (await (await user.fetch("/api/tasks?q=body")).json()).tasks.map((t: { prompt: string }) => t.prompt);
    expect(prompts).toEqual(["first body"]);
  });
});

describe("web submit limits", () => {
  it("answers 429 with Retry-After once a user's per-minute budget is spent, and only for that user", async () => {
    const busy = await signUp(portal.url, "busy@example.com");
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 31; i++) {
      last = await post(busy, { prompt: `burst ${i}` });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 202)).toBe(true);
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await last!.json()).error.message).toMatch(/^Too many generations at once: try again in \d+ s$/);
    expect((await post(user, { prompt: "someone else" })).status).toBe(202);
  });

  it("counts re-runs against the same per-user budget as new submits", async () => {
    const rerunner = await signUp(portal.url, "rerunner@example.com");
    const first = await post(rerunner, { prompt: "again and again" });
    expect(first.status).toBe(202);
    const { id } = await first.json();
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 30; i++) {
      last = await rerunner.fetch(`/api/tasks/${id}/rerun`, { method: "POST", headers: { Origin: portal.url } });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 29).every((s) => s === 202)).toBe(true);
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await last!.json()).error.message).toMatch(/^Too many generations at once: try again in \d+ s$/);
    // The re-runs spent the budget new submits use too.
    expect((await post(rerunner, { prompt: "one more" })).status).toBe(429);
  });
});

describe("restarts", () => {
  let upstream: Emulator;
  let restarted: Portal | undefined;
  afterAll(async () => {
    await restarted?.stop();
    await upstream?.close();
  });

  it("finishes a task that was in flight when the server was killed", async () => {
    // An upstream that outlives the portal, as the real Kling does.
    // Its callbacks go to the portal on 127.0.0.1.
    upstream = createEmulator({ durationMs: 4000, outbound: { allowPrivate: true } });
    const { url } = await upstream.listen();
    const env = { KLING_PROVIDER: "appypie", APPYPIE_BASE_URL: url, APPYPIE_SUBSCRIPTION_KEY: "k" };
    const first = await startPortal(env);
    const session = await signUp(first.url, "crash@example.com");
    const res = await post(session, { prompt: "survives a crash", n: 2 });
    const id = (await res.json()).id;
    await first.stop({ signal: "SIGKILL", keepData: true });

    restarted = await startPortal(env, { dataDir: first.dataDir, port: Number(new URL(first.url).port) });
    const again = await signIn(restarted.url, "crash@example.com", "correct horse battery");
    let task: { status: string; images: unknown[] } = { status: "", images: [] };
    for (let i = 0; i < 120 && task.status !== "succeed" && task.status !== "failed"; i++) {
      task = await (await again.fetch(`/api/tasks/${id}`)).json();
      await new Promise((ok) => setTimeout(ok, 250));
    }
    expect(task.status).toBe("succeed");
    expect(task.images).toHaveLength(2);
  });
});
