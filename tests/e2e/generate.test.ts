// The heart of the product in a real browser: generate four 9:16 images,
// watch the card fill in without a reload, open, download, re-run, delete;
// and a second user sees none of it.
import { readFile } from "node:fs/promises";
import type { Browser } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { browserIt, hasBrowser, launchBrowser } from "./helpers/browser";
import { startPortal, type Portal } from "./helpers/portal";

let portal: Portal;
let browser: Browser;

beforeAll(async () => {
  if (!hasBrowser) return; // every test here drives the browser
  portal = await startPortal();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

async function signUpIn(email: string) {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${portal.url}/signup`);
  await page.fill("#email", email);
  await page.fill("#password", "a long enough password");
  await page.click("button[type=submit]");
  await page.waitForURL(`${portal.url}/`);
  return { context, page };
}

describe("generating in the browser", () => {
  browserIt("generates, updates live, opens, downloads, re-runs and deletes; another user sees none of it", async () => {
    const { page } = await signUpIn("grace@example.com");
    expect(await page.textContent("main")).toContain("Nothing here yet");

    // Client-side validation with the shared schema, beside the field.
    await page.click("button[type=submit]");
    await expect.poll(() => page.locator("[id$='-prompt-error']").textContent()).toBe("The prompt is required.");

    await page.fill("textarea[name=prompt]", "A red fox in deep snow, golden hour");
    await page.click("label:has(input[name=aspect_ratio][value='9:16'])");
    await page.click("label:has(input[name=n][value='4'])");
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await page.click("button[type=submit]:has-text('Generate 4 images')");

    const card = page.locator("[data-testid=task-card]").first();
    await card.waitFor();
    expect(["queued", "submitted", "processing"]).toContain(await card.getAttribute("data-status"));
    await page.waitForSelector("[data-testid=task-card][data-status=succeed]", { timeout: 30_000 });
    // Same document: the card changed through SWR, not a reload.
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    const thumbs = card.locator("img");
    expect(await thumbs.count()).toBe(4);
    await expect.poll(() => thumbs.evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0))).toBe(true);
    const taskId = (await card.getAttribute("data-task-id"))!;

    // The task page, through the image's menu.
    await card.locator("[data-testid=gallery-image]").first().hover();
    await card.locator("[data-testid=image-menu]").first().click();
    await page.click("[role=menuitem]:has-text('Task details')");
    await page.waitForURL(`${portal.url}/tasks/${taskId}`);
    await page.waitForSelector("[data-testid=task-view][data-status=succeed]");
    // The tab and the page's heading are the prompt.
    expect(await page.title()).toBe("A red fox in deep snow, golden hour · Kling Portal");
    expect(await page.locator("h1").textContent()).toBe("A red fox in deep snow, golden hour");
    const favicon = await page.request.get(`${portal.url}/favicon.ico`);
    expect([favicon.status(), favicon.headers()["content-type"]]).toEqual([200, "image/x-icon"]);
    const sizes = await page
      .locator("figure img")
      .evaluateAll((imgs) => imgs.map((i) => [(i as HTMLImageElement).naturalWidth, (i as HTMLImageElement).naturalHeight]));
    await expect
      .poll(async () => (await page.locator("figure img").evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth))).every((w) => w === 576))
      .toBe(true);
    expect(sizes).toHaveLength(4);

    // Full-size viewer: arrow keys between the four images, Esc closes.
    await page.locator("figure button").first().click();
    await expect.poll(() => page.locator("[role=dialog]").getAttribute("aria-label")).toBe("Image 1 of 4");
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => page.locator("[role=dialog]").getAttribute("aria-label")).toBe("Image 2 of 4");
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    await expect.poll(() => page.locator("[role=dialog]").getAttribute("aria-label")).toBe("Image 4 of 4");
    await page.keyboard.press("Escape");
    expect(await page.locator("[role=dialog]").count()).toBe(0);

    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("[data-testid=download]").first().click()]);
    expect(download.suggestedFilename()).toBe("a-red-fox-in-deep-snow-golden-hour-1.png");
    const bytes = await readFile((await download.path())!);
    expect(await sharp(bytes).metadata()).toMatchObject({ format: "png", width: 576, height: 1024 });

    await page.click("button:has-text('Re-run')");
    await page.waitForURL((url) => url.pathname.startsWith("/tasks/") && !url.pathname.endsWith(taskId));
    const rerunId = new URL(page.url()).pathname.split("/").pop()!;
    await page.waitForSelector("[data-testid=task-view][data-status=succeed]", { timeout: 30_000 });
    expect(await page.locator("figure img").count()).toBe(4);

    // Delete is undoable: gone from the gallery at once, removed for good after the 10-second Undo window.
    await page.goto(`${portal.url}/tasks/${taskId}`);
    await page.click("button:has-text('Delete')");
    await page.waitForURL(`${portal.url}/`);
    await page.locator("[data-testid=toast]:has-text('Deleted 4 images') button:has-text('Undo')").waitFor();
    await expect
      .poll(() => page.locator("[data-testid=task-card]").evaluateAll((cards) => cards.map((c) => c.getAttribute("data-task-id"))))
      .toEqual([rerunId]);
    await expect.poll(async () => (await page.request.get(`${portal.url}/api/tasks/${taskId}`)).status(), { timeout: 15_000 }).toBe(404);

    // Another user: an empty history, and 404 for every id of the first user.
    const other = await signUpIn("linus@example.com");
    expect(await other.page.textContent("main")).toContain("Nothing here yet");
    await other.page.goto(`${portal.url}/tasks/${rerunId}`);
    expect(await other.page.textContent("main")).toContain("Not found");
    for (const path of [`/api/tasks/${rerunId}`, `/api/images/${rerunId}/0`, `/api/images/${rerunId}/0?size=thumb`]) {
      expect((await other.page.request.get(`${portal.url}${path}`)).status(), path).toBe(404);
    }
    // With the Origin the portal's own pages send: these reach the owner check rather than the CSRF guard.
    const sameOrigin = { headers: { Origin: portal.url } };
    expect((await other.page.request.delete(`${portal.url}/api/tasks/${rerunId}`, sameOrigin)).status()).toBe(404);
    expect((await other.page.request.post(`${portal.url}/api/tasks/${rerunId}/rerun`, sameOrigin)).status()).toBe(404);
    expect((await page.request.get(`${portal.url}/api/tasks/${rerunId}`)).status()).toBe(200);
  });
});
