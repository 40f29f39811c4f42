// CSRF on the cookie API against the production build: cross-site form posts
// and text/plain "JSON" carrying a valid session cookie are refused with 403
// and change nothing; same-origin JSON works; a real cross-site form in
// Chromium is refused too.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserIt, hasBrowser, launchBrowser } from "./helpers/browser";
import { startPortal, type Portal } from "./helpers/portal";
import { signUp, type Session } from "./helpers/session";

let portal: Portal;
let browser: Browser;
let user: Session;

beforeAll(async () => {
  portal = await startPortal();
  if (hasBrowser) browser = await launchBrowser();
  user = await signUp(portal.url, "csrf@example.com");
});
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

const json = (body: unknown) => ({ method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
const EVIL = { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" };
const counts = async () => ({
  tasks: (await (await user.fetch("/api/tasks")).json()).tasks.length as number,
  keys: (await (await user.fetch("/api/keys")).json()).keys.length as number,
});

async function expectRefused(res: Response, what: string) {
  expect(res.status, what).toBe(403);
  const body = await res.json();
  expect(body.error.code, what).toBe("cross_site_request");
  expect(body.error.message, what).toMatch(/^Cross-site request refused: /);
}

describe("cross-site writes with a valid session cookie", () => {
  it("refuses form posts to create tasks and keys, and to delete a task, writing nothing", async () => {
    const created = await user.fetch("/api/tasks", json({ prompt: "Kept safe" }));
    expect(created.status).toBe(202);
    const taskId = (await created.json()).id;
    const before = await counts();
    expect(before).toEqual({ tasks: 1, keys: 0 });

    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const multipart = new FormData();
    multipart.set("prompt", "From a foreign page");
    const attempts: [string, string, RequestInit][] = [
      [
        "form post, foreign Origin",
        "/api/tasks",
        { method: "POST", headers: { ...EVIL, "Content-Type": "application/x-www-form-urlencoded" }, body: form({ prompt: "From a foreign page" }) },
      ],
      [
        "form post, no Origin",
        "/api/tasks",
        { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: form({ prompt: "From a foreign page" }) },
      ],
      ["multipart post, foreign Origin", "/api/tasks", { method: "POST", headers: EVIL, body: multipart }],
      [
        "text/plain JSON, no Origin",
        "/api/tasks",
        { method: "POST", headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ prompt: "From a foreign page" }) },
      ],
      [
        "text/plain JSON, foreign Origin",
        "/api/tasks",
        { method: "POST", headers: { ...EVIL, "Content-Type": "text/plain;charset=UTF-8" }, body: JSON.stringify({ prompt: "From a foreign page" }) },
      ],
      [
        "JSON with a foreign Origin",
        "/api/tasks",
        { method: "POST", headers: { ...EVIL, "Content-Type": "application/json" }, body: JSON.stringify({ prompt: "From a foreign page" }) },
      ],
      ["rerun, foreign Origin", `/api/tasks/${taskId}/rerun`, { method: "POST", headers: { ...EVIL, "Content-Type": "text/plain" } }],
      ["delete, foreign Origin", `/api/tasks/${taskId}`, { method: "DELETE", headers: EVIL }],
      ["delete, no Origin", `/api/tasks/${taskId}`, { method: "DELETE" }],
      [
        "key form post, foreign Origin",
        "/api/keys",
        { method: "POST", headers: { ...EVIL, "Content-Type": "application/x-www-form-urlencoded" }, body: form({ name: "stolen" }) },
      ],
      ["key text/plain JSON", "/api/keys", { method: "POST", headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ name: "stolen" }) }],
    ];
    for (const [what, path, init] of attempts) await expectRefused(await user.fetch(path, init), what);

    // The sign-up route is guarded too: a foreign page cannot create accounts.
    await expectRefused(
      await fetch(`${portal.url}/api/signup`, {
        method: "POST",
        headers: { ...EVIL, "Content-Type": "text/plain" },
        body: JSON.stringify({ email: "csrf2@example.com", password: "long enough password" }),
      }),
      "signup text/plain",
    );

    expect(await counts()).toEqual(before);
    expect((await user.fetch(`/api/tasks/${taskId}`)).status).toBe(200);
  });

  it("accepts same-origin JSON and same-origin bodyless writes", async () => {
    const key = await user.fetch("/api/keys", json({ name: "mine" }));
    expect(key.status).toBe(201);
    const { id } = await key.json();
    const created = await user.fetch("/api/tasks", {
      ...json({ prompt: "Same origin" }),
      headers: { "Content-Type": "application/json", Origin: portal.url, "Sec-Fetch-Site": "same-origin" },
    });
    expect(created.status).toBe(202);
    const taskId = (await created.json()).id;
    expect((await user.fetch(`/api/tasks/${taskId}/rerun`, { method: "POST", headers: { Origin: portal.url } })).status).toBe(202);
    expect((await user.fetch(`/api/keys/${id}`, { method: "DELETE", headers: { "Sec-Fetch-Site": "same-origin" } })).status).toBe(204);
    expect((await user.fetch(`/api/tasks/${taskId}`, { method: "DELETE", headers: { Origin: portal.url } })).status).toBe(204);
  });

  it("leaves the key-authenticated gateway and next-auth's own routes alone", async () => {
    // The gateway authenticates by key: its seed error for a missing key, not a CSRF refusal.
    const gateway = await fetch(`${portal.url}/kling-ai-image/v1/getImageTask`, {
      method: "POST",
      headers: { ...EVIL, "Content-Type": "text/plain" },
      body: "{}",
    });
    expect(gateway.status).toBe(401);
    // next-auth checks its own CSRF token on sign-out.
    const signOut = await fetch(`${portal.url}/api/auth/signout`, {
      method: "POST",
      headers: { ...EVIL, "Content-Type": "application/x-www-form-urlencoded", Cookie: user.cookie },
      body: "csrfToken=forged",
      redirect: "manual",
    });
    expect(signOut.status).not.toBe(403);
  });

  browserIt("refuses a real cross-site form submitted by Chromium", async () => {
    // Another origin (localhost vs 127.0.0.1) serving a form aimed at the portal, the way an attacker's page would.
    const evil = http.createServer((_req, res) => {
      res.setHeader("Content-Type", "text/html");
      res.end(
        `<form method="post" action="${portal.url}/api/tasks" enctype="text/plain"><input name='{"prompt":"x","pad":"' value='"}'><button>Go</button></form>`,
      );
    });
    await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
    try {
      const page = await browser.newPage();
      await page.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`);
      const [response] = await Promise.all([page.waitForResponse(`${portal.url}/api/tasks`), page.click("button")]);
      expect(response.status()).toBe(403);
      expect((await response.json()).error.code).toBe("cross_site_request");
      await page.close();
    } finally {
      evil.close();
    }
  });
});
