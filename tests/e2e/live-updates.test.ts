// Cards in progress go live through the page's one event stream, without a
// single poll; while the stream is refused the page falls back to polling, and
// once it is back the polling stops and nothing was missed.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasBrowser, launchBrowser } from "./helpers/browser";
import { startPortal, type Portal } from "./helpers/portal";

let portal: Portal;
let browser: Browser;

beforeAll(async () => {
  if (!hasBrowser) return; // every test here drives the browser
  [portal, browser] = await Promise.all([startPortal({ EMULATOR_DURATION_MS: "9000" }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

async function signedInPage(email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${portal.url}/signup`);
  await page.fill("#email", email);
  await page.fill("#password", "a long enough password");
  // The home page's own stream opens as it hydrates, which may be after the URL changes:
  // wait for it, so requests counted later belong to the page under test.
  const opened = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/tasks/events", { timeout: 15_000 });
  await page.click("button[type=submit]");
  await page.waitForURL(`${portal.url}/`);
  await opened;
  return page;
}

/** Submits from the page (its cookie), then reloads so the card is rendered in progress by the server. */
async function submitAndReload(page: Page, prompt: string): Promise<string> {
  const id = await page.evaluate(async (p) => {
    const res = await fetch("/api/tasks", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ prompt: p, n: 1 }) });
    return ((await res.json()) as { id: string }).id;
  }, prompt);
  await page.reload();
  const status = await page.locator(`[data-task-id="${id}"]`).getAttribute("data-status");
  expect(["queued", "submitted", "processing"]).toContain(status);
  return id;
}

/** API requests of the page's current document (counting starts again at each navigation). */
function countRequests(page: Page) {
  let seen: string[] = [];
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) seen = [];
  });
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith("/api/")) seen.push(path);
  });
  return {
    streams: () => seen.filter((p) => p === "/api/tasks/events").length,
    polls: (id: string) => seen.filter((p) => p === `/api/tasks/${id}`).length,
  };
}

describe.skipIf(!hasBrowser)("live updates in the browser", () => {
  it("a card in progress turns into its image through the stream, with no poll", async () => {
    const page = await signedInPage("stream@example.com");
    const requests = countRequests(page);
    const id = await submitAndReload(page, "A kingfisher on a reed, morning mist");
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
    await page.waitForSelector(`[data-task-id="${id}"][data-status=succeed]`, { timeout: 30_000 });
    expect(await page.locator(`[data-task-id="${id}"] img`).count()).toBe(1);
    // Same document, one stream, and not one request for the task itself.
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);
    expect(requests.streams()).toBe(1);
    expect(requests.polls(id)).toBe(0);
  });

  it("polls while the stream is refused, and once the stream is back stops polling and still sees the task finish", async () => {
    const page = await signedInPage("fallback@example.com");
    const requests = countRequests(page);
    await page.route("**/api/tasks/events*", (route) => route.fulfill({ status: 503, body: "down for the test" }));
    const id = await submitAndReload(page, "A heron in the rain");
    await expect.poll(() => requests.polls(id), { timeout: 10_000 }).toBeGreaterThan(0);

    // The stream comes back on the same page (the page reopens it by itself) before the task ends.
    const reopened = page.waitForResponse((r) => r.url().includes("/api/tasks/events") && r.status() === 200, { timeout: 15_000 });
    await page.unroute("**/api/tasks/events*");
    await reopened;
    await page.waitForTimeout(300);
    const pollsWhileDown = requests.polls(id);
    await page.waitForSelector(`[data-task-id="${id}"][data-status=succeed]`, { timeout: 30_000 });
    expect(requests.polls(id)).toBe(pollsWhileDown);
  });
});
