// axe-core on every page, signed out and in, light and dark, desktop and
// phone: any serious or critical violation (contrast below WCAG AA, controls
// without names, broken ARIA) fails with the rule, the element and the fix.
import { AxeBuilder } from "@axe-core/playwright";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { browserIt, hasBrowser, launchBrowser } from "./helpers/browser";
import { startPortal, type Portal } from "./helpers/portal";
import { signUp, type Session } from "./helpers/session";

let portal: Portal;
let browser: Browser;
let user: Session;
let taskId: string;
let sharePath: string;

beforeAll(async () => {
  if (!hasBrowser) return; // every test here drives the browser
  [portal, browser] = await Promise.all([startPortal({ ADMIN_EMAILS: "axe@example.com" }), launchBrowser()]);
  user = await signUp(portal.url, "axe@example.com");
  const created = await user.fetch("/api/tasks", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ prompt: "A harbour at night, lanterns", n: 2, aspect_ratio: "16:9" }),
  });
  taskId = (await created.json()).id;
  for (let i = 0; (await (await user.fetch(`/api/tasks/${taskId}`)).json()).status !== "succeed"; i++) {
    if (i > 120) throw new Error("the task did not succeed within 30 s");
    await new Promise((r) => setTimeout(r, 250));
  }
  // A favourite for the Favourites view, and a share link for its public page.
  await user.fetch(`/api/images/${taskId}/1/favorite`, { method: "PUT", headers: { "Content-Type": "application/json" } });
  const share = await (
    await user.fetch("/api/shares", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ taskId }) })
  ).json();
  sharePath = new URL(share.url).pathname;
  await user.fetch("/api/keys", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "axe" }) });
});
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

const SIGNED_OUT = () => ["/signin", "/signup", "/no-such-page", sharePath];
const SIGNED_IN = () => [
  "/",
  "/?q=harbour",
  "/?favorite=true",
  "/?q=no-such-image",
  "/docs",
  "/settings",
  "/settings/keys",
  "/settings/account",
  "/admin",
  `/admin/tasks/${taskId}`,
  `/tasks/${taskId}`,
  "/tasks/not-a-task",
];
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

async function signedInContext(options: Parameters<Browser["newContext"]>[0]): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  const cookies = user.cookie.split("; ").map((pair) => {
    const i = pair.indexOf("=");
    return { name: pair.slice(0, i), value: pair.slice(i + 1), url: portal.url };
  });
  await context.addCookies(cookies);
  return context;
}

/** Serious and critical violations on each page, as readable lines. */
async function audit(context: BrowserContext, paths: string[]): Promise<string[]> {
  const page = await context.newPage();
  const found: string[] = [];
  for (const path of paths) {
    await page.goto(`${portal.url}${path}`, { waitUntil: "networkidle" });
    const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
    for (const v of violations.filter((v) => v.impact === "serious" || v.impact === "critical")) {
      for (const node of v.nodes) found.push(`${path}: ${v.id} (${v.impact}) at ${node.target.join(" ")}: ${node.failureSummary?.replace(/\s+/g, " ")}`);
    }
  }
  await page.close();
  return found;
}

describe("accessibility (axe-core, WCAG 2.1 AA)", () => {
  for (const scheme of ["light", "dark"] as const) {
    for (const [size, viewport] of Object.entries(VIEWPORTS)) {
      browserIt(`has no serious or critical violation on any page, ${scheme}, ${size}`, async () => {
        const out = await browser.newContext({ colorScheme: scheme, viewport });
        const inside = await signedInContext({ colorScheme: scheme, viewport });
        const found = [...(await audit(out, SIGNED_OUT())), ...(await audit(inside, SIGNED_IN()))];
        await Promise.all([out.close(), inside.close()]);
        expect(found).toEqual([]);
      });
    }
  }
});
