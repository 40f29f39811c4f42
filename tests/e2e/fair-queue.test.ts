// The fair queue in the browser (issue 14): with the account's slots in use, a
// new task's card and its page say where it stands in the queue and about
// when it will be sent, and the card goes on by itself once a slot frees.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasBrowser, launchBrowser } from "./helpers/browser";
import { startPortal, type Portal } from "./helpers/portal";

let portal: Portal;
let browser: Browser;

beforeAll(async () => {
  if (!hasBrowser) return;
  [portal, browser] = await Promise.all([startPortal({ KLING_MAX_CONCURRENCY: "1", EMULATOR_DURATION_MS: "4000" }), launchBrowser()]);
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
  await page.click("button[type=submit]");
  await page.waitForURL(`${portal.url}/`);
  return page;
}

describe.skipIf(!hasBrowser)("fair queue in the browser", () => {
  it("a waiting card and its page show the queue position and an estimate, and the card goes on when a slot frees", async () => {
    const page = await signedInPage("queue@example.com");
    const created = await page.evaluate(async () => {
      const out: { id: string; status: string; queue: { position: number } | null }[] = [];
      for (const prompt of ["A red kite over hills", "A heron at dawn", "A fox in snow"]) {
        const res = await fetch("/api/tasks", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ prompt, n: 1 }) });
        out.push(await res.json());
      }
      return out;
    });
    // One slot: the first is sent, the others wait, each with its place.
    expect(created.map((t) => t.status)).toEqual(["submitted", "waiting", "waiting"]);
    expect(created.map((t) => t.queue?.position ?? null)).toEqual([null, 1, 2]);
    const last = created[2]!.id;

    await page.reload();
    const card = page.locator(`[data-task-id="${last}"]`);
    await expect.poll(() => card.getAttribute("data-status")).toBe("waiting");
    const line = await card.getByTestId("queue-place").textContent();
    expect(line).toMatch(/^Waiting for a free slot · 2nd in queue · (about \d+ (s|min)|next up)$/);
    expect(await card.getByText("Waiting for a free slot").count()).toBe(1);

    // The task page says the same.
    const tab = await page.context().newPage();
    expect((await tab.goto(`${portal.url}/tasks/${last}`))?.status()).toBe(200);
    expect(await tab.getByTestId("queue-place").textContent()).toMatch(/^Waiting for a free slot · (1st|2nd) in queue · /);
    expect(await tab.locator("span[data-status=waiting]").textContent()).toBe("Waiting");
    await tab.close();

    // Both ahead of it finish in turn (4 s each); it is then sent and done, live on the card.
    await page.waitForSelector(`[data-task-id="${last}"][data-status=succeed]`, { timeout: 60_000 });
  }, 90_000);
});
