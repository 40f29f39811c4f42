// The admin console and account settings in a real portal and in Chromium:
// 404 for anyone but an admin, disabling a user (sessions end, the gateway
// answers the seed's 403), failed tasks with their reasons; settings: name,
// password change that signs the other session out, the export ZIP, deletion;
// and both pages at desktop and phone sizes, light and dark.
import { execFile } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, BrowserContext, Page } from "playwright-core";
import yauzl from "yauzl";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserIt, hasBrowser, launchBrowser } from "./helpers/browser";
import { startPortal, type Portal } from "./helpers/portal";
import { signIn, signUp, type Session } from "./helpers/session";

let portal: Portal;
let browser: Browser;
const ADMIN = "boss@example.com";
const PASSWORD = "correct horse battery";
const shots = path.join(os.tmpdir(), "kling-portal-account-shots");

beforeAll(async () => {
  // Half the emulated tasks fail, so the console has failures to show and the export has images.
  portal = await startPortal({ ADMIN_EMAILS: ADMIN, EMULATOR_FAILURE_RATE: "0.5" });
  if (hasBrowser) browser = await launchBrowser();
  await mkdir(shots, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

const json = { "Content-Type": "application/json" };

async function browserSignIn(email: string, password = PASSWORD, viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${portal.url}/signin`);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await page.click("button[type=submit]");
  await page.waitForURL(`${portal.url}/`);
  return { context, page };
}

const run = promisify(execFile);
const adminCli = (...args: string[]) =>
  run(process.execPath, ["--import", "tsx", "lib/cli/admin.ts", ...args], {
    env: { ...process.env, DATA_DIR: portal.dataDir, DATABASE_URL: "", LOG_LEVEL: "warn" },
    cwd: path.resolve(import.meta.dirname, "../.."),
    timeout: 180_000,
  });

const gatewayStatus = (key: string) =>
  fetch(`${portal.url}/kling-ai-polling/v1/getImageStatus`, {
    method: "POST",
    headers: { ...json, "Ocp-Apim-Subscription-Key": key },
    body: JSON.stringify({ task_id: "no-such-task" }),
  });

/** Submits n=1 tasks until at least one has failed and one has succeeded. */
async function oneFailedOneDone(session: Session): Promise<{ failed: string; done: string }> {
  const final = new Map<string, string>();
  for (let i = 0; i < 12 && !(new Set(final.values()).size === 2); i++) {
    const task = await (
      await session.fetch("/api/tasks", { method: "POST", headers: json, body: JSON.stringify({ prompt: `A lantern number ${i}`, n: 1, aspect_ratio: "1:1" }) })
    ).json();
    await expect
      .poll(async () => (await (await session.fetch(`/api/tasks/${task.id}`)).json()).status, { timeout: 60_000, interval: 500 })
      .toMatch(/^(succeed|failed)$/);
    final.set(task.id, (await (await session.fetch(`/api/tasks/${task.id}`)).json()).status);
  }
  const pick = (s: string) => [...final].find(([, v]) => v === s)![0];
  return { failed: pick("failed"), done: pick("succeed") };
}

function zipNames(bytes: Buffer): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const names = new Map<string, number>();
      zip.on("entry", (e: yauzl.Entry) => {
        names.set(e.fileName, e.uncompressedSize);
        zip.readEntry();
      });
      zip.on("end", () => resolve(names));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

async function noHorizontalScroll(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
}

describe("admin console", () => {
  it("answers 404 on every admin page and route to visitors and to users who are not admins", async () => {
    const plain = await signUp(portal.url, "plain@example.com");
    const anonymous = { fetch: (p: string, init: RequestInit = {}) => fetch(`${portal.url}${p}`, { ...init, redirect: "manual" }) };
    for (const who of [anonymous, plain]) {
      for (const p of ["/admin", "/admin/tasks/anything", "/api/admin/users"]) expect((await who.fetch(p)).status, p).toBe(404);
      const res = await who.fetch(`/api/admin/users/some-id`, { method: "PATCH", headers: json, body: JSON.stringify({ disabled: true }) });
      expect(res.status).toBe(404);
    }
    const admin = await signUp(portal.url, ADMIN);
    expect((await admin.fetch("/admin")).status).toBe(200);
    expect((await admin.fetch("/api/admin/users")).status).toBe(200);
  });

  it("grants and revokes the role with npm run admin through the running portal, taking effect on the next request", async () => {
    const promoted = await signUp(portal.url, "promoted@example.com");
    expect((await promoted.fetch("/api/admin/users")).status).toBe(404);
    const granted = await adminCli("grant-admin", "promoted@example.com");
    expect(granted.stderr).toContain("through pid");
    expect(granted.stdout).toMatch(/^Granted admin for promoted@example.com/);
    expect((await promoted.fetch("/api/admin/users")).status).toBe(200);
    expect((await promoted.fetch("/admin")).status).toBe(200);
    await adminCli("revoke-admin", "promoted@example.com");
    expect((await promoted.fetch("/api/admin/users")).status).toBe(404);
  });

  browserIt("shows the system and failed tasks, and disabling a user ends their session and stops their key with the seed's 403", async () => {
    const victim = await signUp(portal.url, "victim@example.com");
    const { key } = await (await victim.fetch("/api/keys", { method: "POST", headers: json, body: JSON.stringify({ name: "bot" }) })).json();
    expect((await gatewayStatus(key)).status).toBe(200);
    const { failed } = await oneFailedOneDone(victim);

    const { context, page } = await browserSignIn(ADMIN);
    await page.getByRole("link", { name: "Admin", exact: true }).click();
    await page.waitForURL(`${portal.url}/admin`);
    for (const figure of ["Queue depth", "Tasks in flight", "Oldest due task", "Caller callbacks", "Upstream failure rate (24 h)"]) {
      await expect.poll(() => page.locator(`[data-figure="${figure}"]`).count()).toBe(1);
    }
    expect(Number(await page.locator('[data-status-count="failed"] strong').textContent())).toBeGreaterThanOrEqual(1);
    const row = page.locator('li[data-user="victim@example.com"]');
    await expect.poll(() => row.textContent()).toContain("1 active");
    // The failed task, with its reason, links to its detail page.
    const failedItem = page.locator(`[data-failed-task="${failed}"]`);
    const reason = (await failedItem.locator("p").textContent())!;
    expect(reason.length).toBeGreaterThan(3);
    await failedItem.locator("a").click();
    await page.waitForURL(`${portal.url}/admin/tasks/${failed}`);
    expect(await page.locator("dl").textContent()).toContain(reason);
    expect(await page.locator("dl").textContent()).toContain("victim@example.com");

    await page.goto(`${portal.url}/admin`);
    page.once("dialog", (d) => d.accept());
    await row.getByRole("switch").click();
    await expect.poll(() => row.getByRole("switch").getAttribute("aria-checked")).toBe("false");
    expect((await victim.fetch("/api/tasks")).status).toBe(401);
    const refused = await gatewayStatus(key);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: "Access denied for this operation" });
    // A disabled user cannot sign in again either, and is told why.
    const login = await browser.newPage();
    await login.goto(`${portal.url}/signin`);
    await login.fill("#email", "victim@example.com");
    await login.fill("#password", PASSWORD);
    await login.click("button[type=submit]");
    await expect.poll(() => login.locator("form [role=alert]").textContent()).toContain("disabled by an administrator");
    await login.close();

    await row.getByRole("switch").click();
    await expect.poll(() => row.getByRole("switch").getAttribute("aria-checked")).toBe("true");
    expect((await gatewayStatus(key)).status).toBe(200);
    expect((await victim.fetch("/api/tasks")).status).toBe(401);
    expect((await (await signIn(portal.url, "victim@example.com", PASSWORD)).fetch("/api/tasks")).status).toBe(200);

    // The admin cannot switch themselves off.
    expect(await page.locator(`li[data-user="${ADMIN}"]`).getByRole("switch").isDisabled()).toBe(true);
    await context.close();
  });
});

describe("account settings", () => {
  browserIt("changes the name and the password (signing the other session out), exports a ZIP and deletes the account", async () => {
    const email = "settings@example.com";
    const other = await signUp(portal.url, email);
    await oneFailedOneDone(other);
    const { context, page } = await browserSignIn(email);
    await page.getByRole("button", { name: "Account menu" }).click();
    await page.getByRole("menuitem", { name: "Settings" }).click();
    await page.waitForURL(`${portal.url}/settings`);
    expect(await page.getByRole("link", { name: /API keys/ }).getAttribute("href")).toBe("/settings/keys");
    expect(await page.getByRole("link", { name: /Linked accounts/ }).getAttribute("href")).toBe("/settings/account");

    await page.fill("#settings-name", "Grace Hopper");
    await page.getByRole("button", { name: "Save name" }).click();
    await expect.poll(() => page.getByRole("status").first().textContent()).toBe("Saved");
    await page.getByRole("button", { name: "Account menu" }).click();
    // The header takes the new name when the page's refresh lands.
    await expect.poll(() => page.getByRole("menu").textContent()).toContain("Grace Hopper");
    await page.keyboard.press("Escape");

    await page.fill("#pw-currentPassword", "not my password");
    await page.fill("#pw-newPassword", "a brand new password");
    await page.fill("#pw-confirm", "a brand new password");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => page.locator("#pw-currentPassword-error").textContent()).toBe("Current password is wrong");
    await page.fill("#pw-currentPassword", PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => page.getByText("You were signed out everywhere else").count()).toBe(1);
    expect((await other.fetch("/api/tasks")).status).toBe(401);
    await page.reload();
    expect(page.url()).toBe(`${portal.url}/settings`);
    expect((await page.request.get(`${portal.url}/api/tasks`)).status()).toBe(200);

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download ZIP" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^kling-portal-export-\d{4}-\d{2}-\d{2}\.zip$/);
    const names = await zipNames(await readFile((await download.path())!));
    expect(names.has("tasks.json")).toBe(true);
    const images = [...names].filter(([n]) => /^images\/[^/]+\/0\.(png|jpg|webp)$/.test(n));
    expect(images.length).toBeGreaterThanOrEqual(1);
    for (const [, size] of images) expect(size).toBeGreaterThan(100);

    const button = page.getByRole("button", { name: "Delete my account" });
    expect(await button.isDisabled()).toBe(true);
    await page.fill("#delete-confirm", email);
    await button.click();
    await page.waitForURL(`${portal.url}/signin?deleted=1`);
    expect(await page.getByRole("status").textContent()).toContain("deleted");
    expect((await page.request.get(`${portal.url}/api/tasks`)).status()).toBe(401);
    await expect(signIn(portal.url, email, "a brand new password")).rejects.toThrow(/sign-in failed/);
    await context.close();
  });

  browserIt("lets the page be used at desktop and phone sizes, in light and dark", async () => {
    await signUp(portal.url, "looks@example.com");
    await signUp(portal.url, ADMIN).catch(() => undefined);
    for (const [name, viewport] of [
      ["desktop", { width: 1280, height: 800 }],
      ["phone", { width: 390, height: 844 }],
    ] as const) {
      for (const scheme of ["light", "dark"] as const) {
        for (const [who, p] of [
          ["looks@example.com", "/settings"],
          [ADMIN, "/admin"],
        ] as const) {
          const { context, page } = await browserSignIn(who, PASSWORD, viewport);
          await page.emulateMedia({ colorScheme: scheme });
          await page.goto(`${portal.url}${p}`);
          await page.getByRole("heading", { level: 1 }).waitFor();
          await noHorizontalScroll(page);
          await page.screenshot({ path: path.join(shots, `${p.slice(1)}-${name}-${scheme}.png`), fullPage: true });
          await context.close();
        }
      }
    }
  });
});
