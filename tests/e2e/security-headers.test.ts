// Security headers on every kind of response of the production build (pages,
// 404s, API routes, gateway routes, images, static files), and in Chromium:
// every page, signed out and in, loads without a single CSP violation.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePng } from "../helpers/images";
import { browserIt, hasBrowser, launchBrowser, takeCspViolations } from "./helpers/browser";
import { startPortal, type Portal } from "./helpers/portal";
import { signUp, type Session } from "./helpers/session";

let portal: Portal;
let browser: Browser;
let user: Session;
let taskId: string;
let apiKey: string;
let shareId: string;
const EMAIL = "headers@example.com";
const PASSWORD = "correct horse battery";

beforeAll(async () => {
  portal = await startPortal();
  if (hasBrowser) browser = await launchBrowser();
  user = await signUp(portal.url, EMAIL, PASSWORD);
  const created = await user.fetch("/api/tasks", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ prompt: "A lighthouse at dusk", n: 2, aspect_ratio: "1:1" }),
  });
  expect(created.status).toBe(202);
  taskId = (await created.json()).id;
  for (let i = 0; (await (await user.fetch(`/api/tasks/${taskId}`)).json()).status !== "succeed"; i++) {
    if (i > 120) throw new Error("the task did not succeed within 30 s");
    await new Promise((r) => setTimeout(r, 250));
  }
  const key = await user.fetch("/api/keys", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "headers" }) });
  apiKey = (await key.json()).key;
  const share = await user.fetch("/api/shares", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ taskId }) });
  shareId = (await share.json()).id;
});
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

const directives = (csp: string) =>
  new Map(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  );

/** The headers every response carries, whatever it is. */
function expectCommonHeaders(res: Response, what: string) {
  expect(res.headers.get("referrer-policy"), what).toBe("strict-origin-when-cross-origin");
  expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
  expect(res.headers.get("x-frame-options"), what).toBe("DENY");
  const permissions = res.headers.get("permissions-policy") ?? "";
  for (const feature of ["camera", "microphone", "geolocation", "payment", "usb"]) expect(permissions, what).toContain(`${feature}=()`);
  // PUBLIC_URL is http here: no HSTS.
  expect(res.headers.get("strict-transport-security"), what).toBeNull();
  expect(res.headers.get("content-security-policy"), what).toBeTruthy();
}

/** A page: the nonce policy, and (for HTML) every script carrying that nonce. */
async function expectPageHeaders(res: Response, what: string): Promise<void> {
  expectCommonHeaders(res, what);
  const d = directives(res.headers.get("content-security-policy")!);
  const scripts = d.get("script-src")!;
  const nonce = scripts.find((s) => s.startsWith("'nonce-"))?.slice(7, -1);
  expect(nonce, what).toBeTruthy();
  expect(scripts, what).toContain("'strict-dynamic'");
  expect(scripts.join(" "), what).not.toMatch(/unsafe-inline|unsafe-eval/);
  expect(d.get("style-src")!.join(" "), what).not.toContain("unsafe-inline");
  expect(d.get("default-src"), what).toEqual(["'self'"]);
  expect(d.get("object-src"), what).toEqual(["'none'"]);
  expect(d.get("base-uri"), what).toEqual(["'self'"]);
  expect(d.get("form-action"), what).toEqual(["'self'"]);
  expect(d.get("frame-ancestors"), what).toEqual(["'none'"]);
  expect(d.get("connect-src"), what).toEqual(["'self'"]);
  expect(d.get("img-src"), what).toEqual(["'self'", "data:", "blob:"]);
  if (res.status === 200 || res.status === 404) {
    const html = await res.text();
    const tags = html.match(/<script\b[^>]*>/g) ?? [];
    expect(tags.length, what).toBeGreaterThan(0);
    for (const tag of tags) expect(tag, what).toContain(`nonce="${nonce}"`);
  }
}

function expectResourceHeaders(res: Response, what: string) {
  expectCommonHeaders(res, what);
  expect(res.headers.get("content-security-policy"), what).toBe("default-src 'none'; frame-ancestors 'none'");
}

describe("security headers over HTTP", () => {
  it("every page, signed in and out, and both kinds of 404, carry a fresh nonce policy on their scripts", async () => {
    const pages = [
      "/",
      "/signin",
      "/signup",
      "/docs",
      "/settings",
      "/settings/keys",
      "/settings/account",
      "/admin",
      `/tasks/${taskId}`,
      "/tasks/not-a-task",
      "/no-such-page",
      `/s/${shareId}`,
      "/s/revoked-or-never-made",
    ];
    const nonces = new Set<string>();
    for (const path of pages) {
      const signedIn = await user.fetch(path);
      await expectPageHeaders(signedIn, `signed in ${path}`);
      nonces.add(directives(signedIn.headers.get("content-security-policy")!).get("script-src")![1]);
      const signedOut = await fetch(`${portal.url}${path}`, { redirect: "manual" });
      await expectPageHeaders(signedOut, `signed out ${path}`);
    }
    expect((await user.fetch("/no-such-page")).status).toBe(404);
    expect((await user.fetch("/tasks/not-a-task")).status).toBe(404);
    expect((await fetch(`${portal.url}/docs`, { redirect: "manual" })).status).toBe(307);
    expect(nonces.size, "a new nonce for every response").toBe(pages.length);
  });

  it("API routes, gateway routes, images and static files carry the deny-all policy", async () => {
    const signed = await fetch(`${portal.url}/kling-ai-polling/v1/getImageStatus`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Ocp-Apim-Subscription-Key": apiKey },
      body: JSON.stringify({ task_id: taskId }),
    });
    expectResourceHeaders(signed, "gateway status");
    const fileUrl: string = (await signed.json()).task_result.images[0].url;
    const responses: [string, Response][] = [
      ["GET /api/health", await fetch(`${portal.url}/api/health`)],
      ["GET /api/tasks", await user.fetch("/api/tasks")],
      ["GET /api/tasks/<id>", await user.fetch(`/api/tasks/${taskId}`)],
      ["GET /api/keys", await user.fetch("/api/keys")],
      ["GET /api/tasks signed out", await fetch(`${portal.url}/api/tasks`)],
      ["POST /api/tasks bad input", await user.fetch("/api/tasks", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })],
      ["GET /api/openapi.json", await fetch(`${portal.url}/api/openapi.json`)],
      ["GET /api/no-such-route", await fetch(`${portal.url}/api/no-such-route`)],
      ["image", await user.fetch(`/api/images/${taskId}/0`)],
      ["thumbnail", await user.fetch(`/api/images/${taskId}/0?size=thumb`)],
      ["signed image link", await fetch(fileUrl)],
      ["shared image", await fetch(`${portal.url}/api/shares/${shareId}/images/0`)],
      ["shared image, unknown link", await fetch(`${portal.url}/api/shares/nope/images/0`)],
      [
        "gateway submit without key",
        await fetch(`${portal.url}/kling-ai-image/v1/getImageTask`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" }),
      ],
      ["gateway unknown route", await fetch(`${portal.url}/kling-ai-image/v1/nope`)],
      ["next-auth csrf", await fetch(`${portal.url}/api/auth/csrf`)],
    ];
    for (const [what, res] of responses) expectResourceHeaders(res, what);
    expect(responses.find(([w]) => w === "image")![1].headers.get("content-type")).toBe("image/png");
    expect(responses.find(([w]) => w === "signed image link")![1].status).toBe(200);
    expect(responses.find(([w]) => w === "shared image")![1].status).toBe(200);
    expect(responses.find(([w]) => w === "shared image, unknown link")![1].status).toBe(404);

    const page = await (await fetch(`${portal.url}/signin`)).text();
    const assets = [...new Set(page.match(/\/_next\/static\/[^"]+\.(?:js|css)/g))].slice(0, 3);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      const res = await fetch(`${portal.url}${asset}`);
      expect(res.status, asset).toBe(200);
      expectResourceHeaders(res, asset);
    }
    // A public file is served like a page: scripts in it (an SVG can carry them) would need a nonce it cannot have.
    const favicon = await fetch(`${portal.url}/favicon.svg`);
    expect(favicon.status).toBe(200);
    expectCommonHeaders(favicon, "/favicon.svg");
    expect(favicon.headers.get("content-security-policy")).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  });

  it("adds HSTS and upgrade-insecure-requests when PUBLIC_URL is https", async () => {
    const https = await startPortal({ PUBLIC_URL: "https://portal.example", RECONCILER_ENABLED: "false" });
    try {
      // The portal itself still listens on plain http here; PUBLIC_URL is what it is reached as.
      const base = `http://127.0.0.1:${new URL(https.url).port}`;
      for (const path of ["/signin", "/api/health", "/no-such-page"]) {
        const res = await fetch(`${base}${path}`);
        expect(res.headers.get("strict-transport-security"), path).toBe("max-age=31536000; includeSubDomains");
      }
      expect((await fetch(`${base}/signin`)).headers.get("content-security-policy")).toContain("upgrade-insecure-requests");
    } finally {
      await https.stop();
    }
  });
});

describe("Content-Security-Policy in Chromium", () => {
  const pages = () => [
    "/signin",
    "/signup",
    "/",
    "/docs",
    "/settings",
    "/settings/keys",
    "/settings/account",
    "/admin",
    `/tasks/${taskId}`,
    "/tasks/not-a-task",
    "/no-such-page",
    `/s/${shareId}`,
    "/s/revoked-or-never-made",
  ];

  async function visitAll(page: import("playwright-core").Page, label: string) {
    for (const path of pages()) {
      await page.goto(`${portal.url}${path}`, { waitUntil: "networkidle" });
      expect(takeCspViolations(), `${label} ${path}`).toEqual([]);
    }
  }

  browserIt("loads every page signed out without a violation", async () => {
    const context = await browser.newContext();
    await visitAll(await context.newPage(), "signed out");
    await context.close();
  });

  browserIt("loads every page signed in, with images, previews and client navigation, without a violation", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${portal.url}/signin`);
    await page.fill("#email", EMAIL);
    await page.fill("#password", PASSWORD);
    await page.click("button[type=submit]");
    await page.waitForURL(`${portal.url}/`);
    await visitAll(page, "signed in");

    // Archived images load under img-src, and the lightbox's styles apply.
    await page.goto(`${portal.url}/tasks/${taskId}`, { waitUntil: "networkidle" });
    await expect.poll(() => page.locator("figure img").evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0))).toBe(true);
    await page.locator("figure button").first().click();
    await page.keyboard.press("Escape");

    // The generate form previews an upload as a data: URL; the history thumbnails load too.
    await page.goto(`${portal.url}/`, { waitUntil: "networkidle" });
    await expect
      .poll(() =>
        page.locator("[data-testid=task-card] img").evaluateAll((imgs) => imgs.length > 0 && imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0)),
      )
      .toBe(true);
    await page.setInputFiles("input[type=file][name=image]", { name: "ref.png", mimeType: "image/png", buffer: await makePng(400, 400) });
    await expect.poll(() => page.locator("img[alt='Reference preview']").evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBe(400);

    // Client-side navigation fetches RSC payloads and runs new chunks under 'strict-dynamic'.
    await page.click("a[href='/docs']");
    await page.waitForURL(`${portal.url}/docs`);
    await page.waitForLoadState("networkidle");
    expect(takeCspViolations()).toEqual([]);
    await context.close();
  });

  browserIt("blocks and reports injected markup's inline handler (the watch itself works)", async () => {
    const page = await browser.newPage();
    await page.goto(`${portal.url}/signin`, { waitUntil: "networkidle" });
    // The classic XSS payload: an inline event handler has no nonce and cannot get one.
    await page.evaluate(() => document.body.insertAdjacentHTML("beforeend", `<img src="/no-such-image" onerror="window.__injected = true">`));
    await expect.poll(() => takeCspViolations().length > 0 || null, { timeout: 5000 }).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
    takeCspViolations();
    await page.close();
  });
});
