// The image budget in a real browser: the header's meter moves when a
// generation starts, and a submit past the budget shows the server's message
// (how many images are left) beside the form, with nothing started.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { browserIt, hasBrowser, launchBrowser } from "./helpers/browser";
import { startPortal, type Portal } from "./helpers/portal";

let portal: Portal;
let browser: Browser;

beforeAll(async () => {
  if (!hasBrowser) return; // every test here drives the browser
  portal = await startPortal({ QUOTA_IMAGES_PER_MONTH: "5" });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

describe("image budget in the browser", () => {
  browserIt(
    "shows the meter, moves it on a submit, and shows the 403 message at the edge of the budget",
    async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${portal.url}/signup`);
      await page.fill("#email", "budget@example.com");
      await page.fill("#password", "a long enough password");
      await page.click("button[type=submit]");
      await page.waitForURL(`${portal.url}/`);

      const meter = page.locator("[data-testid=usage-meter]");
      expect(await meter.textContent()).toContain("0 of 5 images this month");
      expect(await meter.locator("meter").getAttribute("value")).toBe("0");

      await page.fill("textarea[name=prompt]", "A red fox in deep snow, golden hour");
      await page.click("label:has(input[name=n][value='4'])");
      await page.click("button[type=submit]:has-text('Generate 4 images')");
      await page.locator("[data-testid=task-card]").first().waitFor();
      await expect.poll(() => meter.textContent()).toContain("4 of 5 images this month");
      expect(await meter.locator("meter").getAttribute("value")).toBe("4");

      // One image is left: four more are refused with the server's words, and nothing starts.
      await page.click("button[type=submit]:has-text('Generate 4 images')");
      const alert = page.locator("form [role=alert]");
      await expect
        .poll(() => alert.textContent())
        .toMatch(/^This needs 4 images but only 1 of your 5 images is left this month\. Your budget renews on \d{1,2} \w+\.$/);
      expect(await page.locator("[data-testid=task-card]").count()).toBe(1);
      expect(await meter.textContent()).toContain("4 of 5 images this month");

      // The task page says what the task cost.
      const taskId = await page.locator("[data-testid=task-card]").first().getAttribute("data-task-id");
      await page.goto(`${portal.url}/tasks/${taskId}`);
      await expect.poll(() => page.locator("dl").first().textContent()).toContain("Cost4 images");
      await context.close();
    },
    180_000,
  );

  browserIt(
    "lets exactly the budget through when eight submits race on the embedded database (its locked client)",
    async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${portal.url}/signup`);
      await page.fill("#email", "race@example.com");
      await page.fill("#password", "a long enough password");
      await page.click("button[type=submit]");
      await page.waitForURL(`${portal.url}/`);
      const statuses = await Promise.all(
        Array.from({ length: 8 }, (_, i) => page.request.post(`${portal.url}/api/tasks`, { data: { prompt: `Race ${i}`, n: 1 } }).then((r) => r.status())),
      );
      expect(statuses.filter((s) => s === 202)).toHaveLength(5);
      expect(statuses.filter((s) => s === 403)).toHaveLength(3);
      const usage = await (await page.request.get(`${portal.url}/api/usage`)).json();
      expect(usage).toMatchObject({ used: 5, limit: 5 });
      const list = await (await page.request.get(`${portal.url}/api/tasks?limit=50`)).json();
      expect(list.tasks).toHaveLength(5);
      await context.close();
    },
    120_000,
  );
});
