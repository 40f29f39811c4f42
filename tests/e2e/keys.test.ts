// API keys over HTTP and in Chromium: the signing secret shown once with a new
// key and on each rotation, rotation only by the key's owner, and the
// per-user limit on active keys.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserIt, hasBrowser, launchBrowser } from "./helpers/browser";
import { startPortal, type Portal } from "./helpers/portal";
import { signUp } from "./helpers/session";

let portal: Portal;
let browser: Browser;

beforeAll(async () => {
  portal = await startPortal({ MAX_API_KEYS_PER_USER: "3" });
  if (hasBrowser) browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

const json = { "Content-Type": "application/json" };

// Bodyless writes as a same-origin page sends them (the CSRF check wants an Origin or JSON).
const sameOrigin = (method: string) => ({ method, headers: { Origin: portal.url } });

describe("API keys", () => {
  browserIt("shows a new key with its signing secret once, and a rotated secret once", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${portal.url}/signup`);
    await page.fill("#email", "keys@example.com");
    await page.fill("#password", "a long enough password");
    await page.click("button[type=submit]");
    await page.waitForURL(`${portal.url}/`);
    await page.goto(`${portal.url}/settings/keys`);
    await page.fill("#key-name", "webhooks");
    await page.click("button[type=submit]");
    const key = await page.locator("[data-testid=new-key]").textContent();
    const secret = await page.locator("[data-testid=new-signing-secret]").textContent();
    expect(key).toMatch(/^kp_/);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    // Listed without either.
    const listed = await (await page.request.get(`${portal.url}/api/keys`)).text();
    expect(listed).not.toContain(key!);
    expect(listed).not.toContain(secret!.slice(6));
    expect(JSON.parse(listed).keys[0]).toMatchObject({ name: "webhooks", hasSigningSecret: true });

    page.once("dialog", (d) => d.accept());
    await page.getByRole("button", { name: "Rotate signing secret" }).click();
    await expect.poll(() => page.locator("[data-testid=new-signing-secret]").textContent()).not.toBe(secret);
    const rotated = await page.locator("[data-testid=new-signing-secret]").textContent();
    expect(rotated).toMatch(/^whsec_/);
    expect(await page.locator("[data-testid=new-key]").count()).toBe(0);
    await context.close();
  });

  it("rotates over HTTP for the owner only (201, shown once), 404 for others, 401 without a session", async () => {
    const owner = await signUp(portal.url, "owner@example.com");
    const stranger = await signUp(portal.url, "stranger@example.com");
    const created = await (await owner.fetch("/api/keys", { method: "POST", headers: json, body: JSON.stringify({ name: "rotating" }) })).json();
    expect(created.signingSecret).toMatch(/^whsec_/);
    const res = await owner.fetch(`/api/keys/${created.id}/signing-secret`, sameOrigin("POST"));
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = await res.json();
    expect(body).toEqual({ id: created.id, signingSecret: expect.stringMatching(/^whsec_/) });
    expect(body.signingSecret).not.toBe(created.signingSecret);
    expect((await stranger.fetch(`/api/keys/${created.id}/signing-secret`, sameOrigin("POST"))).status).toBe(404);
    expect((await fetch(`${portal.url}/api/keys/${created.id}/signing-secret`, sameOrigin("POST"))).status).toBe(401);
    expect((await owner.fetch(`/api/keys/${created.id}`, sameOrigin("DELETE"))).status).toBe(204);
    const revoked = await owner.fetch(`/api/keys/${created.id}/signing-secret`, sameOrigin("POST"));
    expect(revoked.status).toBe(409);
    expect((await revoked.json()).error.code).toBe("key_revoked");
  });

  it("refuses more than MAX_API_KEYS_PER_USER active keys with a 409 that says so", async () => {
    const user = await signUp(portal.url, "many@example.com");
    const create = (name: string) => user.fetch("/api/keys", { method: "POST", headers: json, body: JSON.stringify({ name }) });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await create(`k${i}`);
      expect(res.status).toBe(201);
      ids.push((await res.json()).id);
    }
    const refused = await create("one too many");
    expect(refused.status).toBe(409);
    expect((await refused.json()).error).toEqual({
      code: "too_many_keys",
      message: "You already have 3 active API keys, the most allowed is 3: revoke one before creating another",
    });
    expect((await user.fetch(`/api/keys/${ids[0]}`, sameOrigin("DELETE"))).status).toBe(204);
    expect((await create("after revoking")).status).toBe(201);
  });
});
