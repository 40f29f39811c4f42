// The gallery in a real browser at desktop and phone sizes: images at their own
// shape in justified rows, placeholders at their final shape, filters applied as
// you type (URL kept, focus kept, no reload), favourites, the viewer as a real
// dialog, per-image actions by hover and by menu, undoable delete, share links
// readable signed out and gone at once when revoked, infinite scroll with a count.
import { AxeBuilder } from "@axe-core/playwright";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasBrowser, launchBrowser } from "./helpers/browser";
import { startPortal, type Portal } from "./helpers/portal";
import { signUp, type Session } from "./helpers/session";

let portal: Portal;
let browser: Browser;

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const SHOTS = process.env.GALLERY_SHOTS; // a folder to keep screenshots in, when set

beforeAll(async () => {
  if (!hasBrowser) return; // every test here drives the browser
  // Enough submits for a second page of the gallery within a minute.
  [portal, browser] = await Promise.all([startPortal({ RATE_LIMIT_SUBMIT_PER_MINUTE: "500" }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

async function submit(user: Session, body: Record<string, unknown>): Promise<string> {
  const res = await user.fetch("/api/tasks", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (res.status !== 202) throw new Error(`submit failed: ${res.status} ${await res.text()}`);
  return (await res.json()).id;
}

async function waitFinal(user: Session, id: string) {
  for (let i = 0; ; i++) {
    const status = (await (await user.fetch(`/api/tasks/${id}`)).json()).status;
    if (status === "succeed" || status === "failed") return status;
    if (i > 160) throw new Error(`task ${id} did not finish`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function contextFor(user: Session | null, viewport: { width: number; height: number }, colorScheme: "light" | "dark" = "light"): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, colorScheme, acceptDownloads: true, hasTouch: viewport === PHONE, isMobile: viewport === PHONE });
  if (user) {
    await context.addCookies(
      user.cookie.split("; ").map((pair) => {
        const i = pair.indexOf("=");
        return { name: pair.slice(0, i), value: pair.slice(i + 1), url: portal.url };
      }),
    );
  }
  return context;
}

async function openGallery(user: Session, viewport: { width: number; height: number }) {
  const context = await contextFor(user, viewport);
  const page = await context.newPage();
  await page.goto(`${portal.url}/`);
  return { context, page };
}

/** Chooses an item of an image's menu, opened the way a mouse user does (hover, then ⋯). */
async function menuAction(page: Page, tile: ReturnType<Page["locator"]>, item: string) {
  await tile.hover();
  await tile.locator("[data-testid=image-menu]").click();
  await page.click(`[role=menuitem]:has-text('${item}')`);
}

async function shot(page: Page, name: string) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/gallery-${name}.png`, fullPage: false });
}

/** Each tile's box and its image's natural ratio. */
const tileBoxes = (page: Page) =>
  page.locator("[data-testid=gallery-image]").evaluateAll((els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      const img = el.querySelector("img")!;
      return { top: Math.round(r.top), width: r.width, height: r.height, ratio: Number(img.getAttribute("width")) / Number(img.getAttribute("height")) };
    }),
  );

describe.skipIf(!hasBrowser)("the gallery", () => {
  let user: Session;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    user = await signUp(portal.url, "gallery@example.com");
    ids.tall = await submit(user, { prompt: "Four tall lighthouses", n: 4, aspect_ratio: "9:16" });
    ids.wide = await submit(user, { prompt: "Nine wide harbours at dusk", n: 9, aspect_ratio: "16:9" });
    ids.square = await submit(user, { prompt: "One square fox", n: 1, aspect_ratio: "1:1" });
    for (const id of Object.values(ids)) expect(await waitFinal(user, id)).toBe("succeed");
  });

  it("shows every image at its own shape in justified rows of equal height, with a count and a size control", async () => {
    const { context, page } = await openGallery(user, DESKTOP);
    await expect.poll(() => page.locator("[data-testid=gallery-image]").count()).toBe(14);
    expect(await page.locator("[data-testid=gallery-count]").textContent()).toBe("14 images");
    // Those in view are loaded (the rest load lazily).
    await expect
      .poll(() =>
        page
          .locator("[data-testid=gallery-image] img")
          .first()
          .evaluate((i) => (i as HTMLImageElement).naturalWidth),
      )
      .toBeGreaterThan(0);
    const boxes = await tileBoxes(page);
    for (const b of boxes) expect(Math.abs(b.width / b.height - b.ratio) / b.ratio).toBeLessThan(0.03);
    // Tiles of a row share one height (no blank gaps); a full row fills the width.
    const rows = new Map<number, number[]>();
    for (const b of boxes) rows.set(b.top, [...(rows.get(b.top) ?? []), b.height]);
    for (const heights of rows.values()) expect(Math.max(...heights) - Math.min(...heights)).toBeLessThan(2);
    expect(rows.size).toBeGreaterThan(1);
    await shot(page, "desktop-light");

    const before = boxes[0]!.height;
    await page.click("label:has(input[name=gallery-size][value=s])");
    await expect.poll(async () => (await tileBoxes(page))[0]!.height).toBeLessThan(before);
    await page.click("label:has(input[name=gallery-size][value=l])");
    await expect.poll(async () => (await tileBoxes(page))[0]!.height).toBeGreaterThan(before);
    // Remembered.
    await page.reload();
    await expect.poll(async () => (await tileBoxes(page))[0]?.height ?? 0).toBeGreaterThan(before);
    await page.click("label:has(input[name=gallery-size][value=m])");
    await context.close();
  });

  it("filters as you type and choose: URL kept, focus kept, no reload; favourites by the star", async () => {
    const { context, page } = await openGallery(user, DESKTOP);
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await page.click("#gallery-q");
    await page.keyboard.type("harbour", { delay: 30 });
    await page.waitForURL(`${portal.url}/?q=harbour`);
    await expect.poll(() => page.locator("[data-testid=gallery-image]").count()).toBe(9);
    expect(await page.locator("[data-testid=gallery-count]").textContent()).toBe("9 images match");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("gallery-q");
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);

    await page.selectOption("#gallery-ratio", "9:16");
    await page.waitForURL(`${portal.url}/?q=harbour&aspect_ratio=9%3A16`);
    await expect.poll(() => page.locator("[data-testid=gallery-image]").count()).toBe(0);
    expect(await page.textContent("main")).toContain("No images match these filters.");
    await page.click("text=Show all images");
    await page.waitForURL(`${portal.url}/`);
    await expect.poll(() => page.locator("[data-testid=gallery-image]").count()).toBe(14);
    expect(await page.inputValue("#gallery-q")).toBe("");

    // Favourite the third tall lighthouse by its hover button.
    const tile = page.locator(`[data-task-id="${ids.tall}"] [data-index="2"]`);
    await tile.hover();
    await tile.locator("[data-testid=favorite]").click();
    await expect.poll(() => tile.locator("[data-testid=favorite]").getAttribute("aria-pressed")).toBe("true");
    await page.click("button:has-text('Favourites')");
    await page.waitForURL(`${portal.url}/?favorite=true`);
    await expect
      .poll(() =>
        page
          .locator("[data-testid=gallery-image]")
          .evaluateAll((els) => els.map((e) => `${e.closest("[data-task-id]")!.getAttribute("data-task-id")}/${e.getAttribute("data-index")}`)),
      )
      .toEqual([`${ids.tall}/2`]);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    // The URL alone restores the view.
    await page.reload();
    await expect.poll(() => page.locator("[data-testid=gallery-image]").count()).toBe(1);
    expect(await page.getAttribute("button:has-text('Favourites')", "aria-pressed")).toBe("true");
    await page.click("button:has-text('Favourites')");
    await context.close();
  });

  it("opens the viewer as a dialog: details, arrows across tasks, focus trapped and returned to the image", async () => {
    const { context, page } = await openGallery(user, DESKTOP);
    const opener = page.locator(`[data-task-id="${ids.square}"] [data-index="0"] button[aria-label^=Open]`);
    await opener.click();
    const dialog = page.locator("[role=dialog]");
    await expect.poll(() => dialog.getAttribute("aria-label")).toBe("Image 1 of 14");
    expect(await dialog.textContent()).toContain("One square fox");
    expect(await dialog.textContent()).toContain("1024 × 1024");
    await expect.poll(() => dialog.locator("img").evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBe(1024);
    // The open dialog passes axe too.
    const { violations } = await new AxeBuilder({ page }).include("[role=dialog]").withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
    await shot(page, "viewer-desktop");
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => dialog.getAttribute("aria-label")).toBe("Image 2 of 14");
    expect(await dialog.textContent()).toContain("Nine wide harbours at dusk");
    // Tab cycles inside the dialog.
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => !!document.activeElement?.closest("[role=dialog]"))).toBe(true);
    }
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.count()).toBe(0);
    // Back on the image now shown (the first harbour), not on <body>.
    // Focus comes back once the dialog has finished closing.
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest("[data-task-id]")?.getAttribute("data-task-id"))).toBe(ids.wide);
    await context.close();
  });

  it("menu actions: use settings and use as reference fill the form; delete hides at once and Undo brings it back", async () => {
    const { context, page } = await openGallery(user, DESKTOP);
    const tile = page.locator(`[data-task-id="${ids.tall}"] [data-index="1"]`);
    await menuAction(page, tile, "Use settings");
    await expect.poll(() => page.inputValue("textarea[name=prompt]")).toBe("Four tall lighthouses");
    expect(await page.isChecked("input[name=aspect_ratio][value='9:16']")).toBe(true);
    expect(await page.isChecked("input[name=n][value='4']")).toBe(true);

    await menuAction(page, tile, "Use as reference");
    await expect.poll(() => page.locator("img[alt='Reference preview']").count()).toBe(1);
    expect(await page.isVisible("input[name=image_fidelity]")).toBe(true);

    await menuAction(page, tile, "Delete task (4 images)");
    await expect.poll(() => page.locator(`[data-task-id="${ids.tall}"]`).count()).toBe(0);
    const toast = page.locator("[data-testid=toast]:has-text('Deleted 4 images')");
    await toast.waitFor();
    await shot(page, "undo-toast");
    await toast.locator("button:has-text('Undo')").click();
    await expect.poll(() => page.locator(`[data-task-id="${ids.tall}"] [data-testid=gallery-image]`).count()).toBe(4);
    // Past the undo window it is still there: nothing was sent.
    await page.waitForTimeout(10_500);
    expect((await user.fetch(`/api/tasks/${ids.tall}`)).status).toBe(200);
    await context.close();
  });

  it("a downloaded PNG dropped on the form offers its settings, and loads them", async () => {
    const download = await user.fetch(`/api/images/${ids.tall}/0?download=1`);
    expect(download.headers.get("content-type")).toBe("image/png");
    const b64 = Buffer.from(await download.arrayBuffer()).toString("base64");
    const { context, page } = await openGallery(user, DESKTOP);
    await page.fill("textarea[name=prompt]", "");
    const dataTransfer = await page.evaluateHandle((data) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], "lighthouse.png", { type: "image/png" }));
      return transfer;
    }, b64);
    await page.dispatchEvent("form[aria-label='Generate images']", "drop", { dataTransfer });
    const offer = page.locator("[data-testid=toast]:has-text('This image carries its settings')");
    await offer.waitFor();
    expect(await offer.textContent()).toContain("Four tall lighthouses");
    // Dropped, it is the reference image until its settings are loaded.
    await expect.poll(() => page.locator("img[alt='Reference preview']").count()).toBe(1);
    await offer.locator("button:has-text('Load settings')").click();
    await expect.poll(() => page.inputValue("textarea[name=prompt]")).toBe("Four tall lighthouses");
    expect(await page.isChecked("input[name=aspect_ratio][value='9:16']")).toBe(true);
    // Its settings had no reference: the form is now as that task was made.
    await expect.poll(() => page.locator("img[alt='Reference preview']").count()).toBe(0);
    await context.close();
  });

  it("a deleted task is removed for good after 10 seconds without Undo", async () => {
    const doomed = await submit(user, { prompt: "A doomed sandcastle", n: 1, aspect_ratio: "1:1" });
    await waitFinal(user, doomed);
    const { context, page } = await openGallery(user, DESKTOP);
    const tile = page.locator(`[data-task-id="${doomed}"] [data-index="0"]`);
    await menuAction(page, tile, "Delete");
    await expect.poll(() => page.locator(`[data-task-id="${doomed}"]`).count()).toBe(0);
    expect((await user.fetch(`/api/tasks/${doomed}`)).status).toBe(200);
    await expect.poll(async () => (await user.fetch(`/api/tasks/${doomed}`)).status, { timeout: 15_000 }).toBe(404);
    expect((await user.fetch(`/api/images/${doomed}/0`)).status).toBe(404);
    await context.close();
  });

  it("a deleted image is removed after 10 seconds without Undo; the task keeps its other images at their indexes", async () => {
    const trio = await submit(user, { prompt: "Three paper boats", n: 3, aspect_ratio: "1:1" });
    await waitFinal(user, trio);
    const { context, page } = await openGallery(user, DESKTOP);
    const images = page.locator(`[data-task-id="${trio}"] [data-testid=gallery-image]`);
    await expect.poll(() => images.count()).toBe(3);
    await menuAction(page, page.locator(`[data-task-id="${trio}"] [data-index="1"]`), "Delete image");
    await expect.poll(() => images.evaluateAll((els) => els.map((el) => el.getAttribute("data-index")))).toEqual(["0", "2"]);
    await page.locator("[data-testid=toast]:has-text('Deleted image 2')").waitFor();
    // Nothing is sent during the undo window.
    expect((await (await user.fetch(`/api/tasks/${trio}`)).json()).images).toHaveLength(3);
    const indexes = async () => ((await (await user.fetch(`/api/tasks/${trio}`)).json()).images as { index: number }[]).map((i) => i.index);
    await expect.poll(indexes, { timeout: 15_000 }).toEqual([0, 2]);
    expect((await user.fetch(`/api/images/${trio}/1`)).status).toBe(404);
    await context.close();
    // Out of the way of the tests that count this user's images.
    expect((await user.fetch(`/api/tasks/${trio}`, { method: "DELETE", headers: { "Content-Type": "application/json" } })).status).toBe(204);
  });

  it("settings lists the user's share links, with what each shares, and Revoke removes one", async () => {
    const made = await user.fetch("/api/shares", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ taskId: ids.square, index: 0 }),
    });
    expect(made.status).toBe(201);
    const share = (await made.json()) as { id: string; url: string };
    for (const [viewport, scheme] of [
      [DESKTOP, "light"],
      [PHONE, "dark"],
    ] as const) {
      const context = await contextFor(user, viewport, scheme);
      const page = await context.newPage();
      await page.goto(`${portal.url}/settings`);
      const row = page.locator(`[data-testid=share-link]:has-text('${share.url}')`);
      await row.waitFor();
      expect(await row.textContent()).toContain("One square fox");
      expect(await row.textContent()).toContain("Image 1");
      await row.scrollIntoViewIfNeeded();
      await shot(page, `settings-shares-${viewport === PHONE ? "phone-dark" : "desktop"}`);
      await context.close();
    }
    const context = await contextFor(user, DESKTOP);
    const page = await context.newPage();
    await page.goto(`${portal.url}/settings`);
    page.once("dialog", (d) => void d.accept());
    await page.locator(`[data-testid=share-link]:has-text('${share.url}') button:has-text('Revoke')`).click();
    await expect.poll(() => page.locator(`[data-testid=share-link]:has-text('${share.url}')`).count()).toBe(0);
    const listed = (await (await user.fetch("/api/shares")).json()) as { shares: { id: string }[] };
    expect(listed.shares.map((s) => s.id)).not.toContain(share.id);
    expect((await fetch(share.url)).status).toBe(404);
    await context.close();
  });

  it("submitting keeps you in place: a placeholder at the final shape with state and elapsed time, a toast, then the images", async () => {
    const { context, page } = await openGallery(user, DESKTOP);
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 9));
    // An error reads as a sentence and goes as soon as the field is valid.
    await page.click("button[type=submit]:has-text('Generate')");
    await expect.poll(() => page.locator("[id$='-prompt-error']").textContent()).toBe("The prompt is required.");
    await page.fill("textarea[name=prompt]", "Two tall cranes in a marsh");
    await expect.poll(() => page.locator("[id$='-prompt-error']").count()).toBe(0);
    await page.click("label:has(input[name=aspect_ratio][value='9:16'])");
    await page.click("label:has(input[name=n][value='2'])");
    await page.click("button[type=submit]:has-text('Generate 2 images')");
    await page.locator("[data-testid=toast]:has-text('Generation started')").waitFor();
    const placeholder = page.locator("[data-testid=gallery-placeholder]").first();
    await placeholder.waitFor();
    const box = (await placeholder.boundingBox())!;
    expect(Math.abs(box.width / box.height - 9 / 16)).toBeLessThan(0.03);
    expect(await placeholder.textContent()).toMatch(/(Queued|Submitted|Generating)( · \d+ s)?/);
    await shot(page, "placeholder");
    const card = page.locator("[data-testid=task-card]").first();
    await expect.poll(() => card.getAttribute("data-status"), { timeout: 30_000 }).toBe("succeed");
    expect(await card.locator("img").count()).toBe(2);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(9);
    // Scrolled down, the form is a compact bar that still submits.
    await page.mouse.wheel(0, 2000);
    await page.locator("[data-testid=compact-bar]").waitFor();
    await shot(page, "compact-bar");
    await context.close();
  });

  it("a task finishing while the user is on another page of the app brings a toast with its thumbnail", async () => {
    const id = await submit(user, { prompt: "A lantern seen from the docs page", n: 1, aspect_ratio: "1:1" });
    const { context, page } = await openGallery(user, DESKTOP);
    await page.locator(`[data-task-id="${id}"] [data-testid=gallery-placeholder]`).first().waitFor();
    // Client-side navigation: the layout, its stream and its watchers stay.
    await page.click("header >> text=API");
    await page.waitForURL(`${portal.url}/docs`);
    const toast = page.locator("[data-testid=toast]:has-text('Images ready')");
    await toast.waitFor({ timeout: 30_000 });
    expect(await toast.textContent()).toContain("A lantern seen from the docs page");
    await expect.poll(() => toast.locator("img").evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await shot(page, "finished-elsewhere");
    await context.close();
  });

  it("multi-select with click and shift-click: bulk favourite, a streamed ZIP of the chosen images, bulk delete with Undo", async () => {
    const { context, page } = await openGallery(user, DESKTOP);
    const tile = (task: string, index: number) => page.locator(`[data-task-id="${task}"] [data-index="${index}"]`);
    await tile(ids.wide, 1).hover();
    await tile(ids.wide, 1).locator("[data-testid=select]").click();
    // Once something is selected every checkbox shows; shift-click takes the range.
    await tile(ids.wide, 4)
      .locator("[data-testid=select]")
      .click({ modifiers: ["Shift"] });
    const bar = page.locator("[data-testid=bulk-bar]");
    await expect.poll(() => bar.textContent()).toContain("4 selected");
    expect(await page.locator("[data-testid=gallery-image][data-selected]").evaluateAll((els) => els.map((e) => e.getAttribute("data-index")))).toEqual([
      "1",
      "2",
      "3",
      "4",
    ]);
    await shot(page, "multi-select");

    const [download] = await Promise.all([page.waitForEvent("download"), bar.locator("a:has-text('Download ZIP')").click()]);
    expect(download.suggestedFilename()).toBe("kling-images-4.zip");
    const zip = await (await import("node:fs/promises")).readFile((await download.path())!);
    expect(zip.subarray(0, 2).toString()).toBe("PK");

    await bar.locator("button:has-text('Favourite')").click();
    await expect
      .poll(async () => (await (await user.fetch(`/api/tasks/${ids.wide}`)).json()).images.filter((i: { favorite: boolean }) => i.favorite).length)
      .toBe(4);

    await bar.locator("button:has-text('Delete task')").click();
    await expect.poll(() => page.locator(`[data-task-id="${ids.wide}"]`).count()).toBe(0);
    await page.locator("[data-testid=toast]:has-text('Deleted 9 images') button:has-text('Undo')").click();
    await expect.poll(() => page.locator(`[data-task-id="${ids.wide}"] [data-testid=gallery-image]`).count()).toBe(9);
    await context.close();
  });

  it("share links: made from the menu, readable signed out with Open Graph tags, 404 at once after revoking", async () => {
    const context = await contextFor(user, DESKTOP);
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const page = await context.newPage();
    await page.goto(`${portal.url}/`);
    const tile = page.locator(`[data-task-id="${ids.square}"] [data-index="0"]`);
    await menuAction(page, tile, "Share link to this image");
    const toast = page.locator("[data-testid=toast]:has-text('Share link')");
    await toast.waitFor();
    const url = /(http\S+\/s\/[A-Za-z0-9_-]{22})/.exec((await toast.textContent())!)![1]!;
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

    for (const viewport of [DESKTOP, PHONE]) {
      const stranger = await contextFor(null, viewport);
      const shared = await stranger.newPage();
      const res = await shared.goto(url);
      expect(res!.status()).toBe(200);
      expect(shared.url()).toBe(url); // no sign-in redirect
      expect(await shared.locator("h1").textContent()).toBe("One square fox");
      const og = await shared.locator("meta[property='og:image']").getAttribute("content");
      expect(og).toMatch(new RegExp(`^${portal.url}/api/shares/[A-Za-z0-9_-]{22}/images/0$`));
      await expect.poll(() => shared.locator("[data-testid=shared-image] img").evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBe(1024);
      await shot(shared, `shared-${viewport === PHONE ? "phone" : "desktop"}`);
      await stranger.close();
    }
    const id = url.split("/").pop()!;
    const listed = await (await user.fetch("/api/shares")).json();
    expect(listed.shares.map((s: { id: string }) => s.id)).toContain(id);
    expect((await user.fetch(`/api/shares/${id}`, { method: "DELETE", headers: { "Content-Type": "application/json" } })).status).toBe(204);
    expect((await fetch(url)).status).toBe(404);
    expect((await fetch(`${portal.url}/api/shares/${id}/images/0`)).status).toBe(404);
    await context.close();
  });

  it("on a phone: one column of thumb-sized tiles, actions through the always-visible menu, the viewer with its details", async () => {
    const context = await contextFor(user, PHONE);
    const page = await context.newPage();
    await page.goto(`${portal.url}/`);
    await page.locator("[data-testid=gallery-image]").first().waitFor();
    // The settings fold away on a phone: the first images show on the first screen.
    expect((await page.locator("[data-testid=gallery-image]").first().boundingBox())!.y).toBeLessThan(844);
    const menu = page.locator("[data-testid=image-menu]").first();
    expect(await menu.evaluate((el) => getComputedStyle(el.parentElement!.parentElement!).opacity)).toBe("1");
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(390);
    await shot(page, "phone-light");
    // Thumbnails stay clear on touch: no hover-only buttons, the menu has them all.
    expect(await page.locator("[data-testid=favorite]").first().isVisible()).toBe(false);
    // Selecting starts from the menu on touch.
    await menu.tap();
    await page.click("[role=menuitem]:has-text('Select')");
    await expect.poll(() => page.locator("[data-testid=bulk-bar]").textContent()).toContain("1 selected");
    await shot(page, "phone-selected");
    await page.locator("[data-testid=bulk-bar] button:has-text('Clear')").tap();
    await menu.tap();
    await page.locator("[role=menu]").waitFor();
    await shot(page, "phone-menu");
    await page.click("[role=menuitem]:has-text('Open')");
    await page.locator("[role=dialog]").waitFor();
    expect(await page.locator("[role=dialog]").textContent()).toContain("Use settings");
    await shot(page, "phone-viewer");
    // A swipe to the left shows the next image, to the right the one before.
    const viewer = page.locator("[role=dialog]");
    const before = await viewer.getAttribute("aria-label");
    const stage = viewer.locator("img").first().locator("..");
    const swipe = async (dx: number) => {
      const box = (await stage.boundingBox())!;
      const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
      await stage.dispatchEvent("pointerdown", { clientX: x, clientY: y, pointerType: "touch", isPrimary: true });
      await stage.dispatchEvent("pointerup", { clientX: x + dx, clientY: y + 5, pointerType: "touch", isPrimary: true });
    };
    await swipe(-120);
    await expect.poll(() => viewer.getAttribute("aria-label")).not.toBe(before);
    await swipe(120);
    await expect.poll(() => viewer.getAttribute("aria-label")).toBe(before);
    // The API keys table keeps Revoke on screen.
    await user.fetch("/api/keys", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "phone key" }) });
    const keysPage = await context.newPage();
    await keysPage.goto(`${portal.url}/settings/keys`);
    const revoke = keysPage.locator("button:has-text('Revoke')").first();
    const box = (await revoke.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(await keysPage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(keysPage, "phone-keys");
    await context.close();
    const dark = await contextFor(user, PHONE, "dark");
    const darkPage = await dark.newPage();
    await darkPage.goto(`${portal.url}/`);
    await darkPage.locator("[data-testid=gallery-image]").first().waitFor();
    await shot(darkPage, "phone-dark");
    await dark.close();
  });
});

describe.skipIf(!hasBrowser)("infinite scroll", () => {
  it("loads the next page as the end comes into view, with the total counted once", async () => {
    const user = await signUp(portal.url, "scroll@example.com");
    const made: string[] = [];
    for (let i = 0; i < 30; i++) made.push(await submit(user, { prompt: `Pebble number ${i}`, n: 1, aspect_ratio: "1:1" }));
    for (const id of made) await waitFinal(user, id);
    const { context, page } = await openGallery(user, DESKTOP);
    await expect.poll(() => page.locator("[data-testid=task-card]").count()).toBe(24);
    expect(await page.locator("[data-testid=gallery-count]").textContent()).toBe("30 images");
    await page.locator("[data-testid=task-card] [data-testid=gallery-image]").last().scrollIntoViewIfNeeded();
    await page.mouse.wheel(0, 5000);
    await expect.poll(() => page.locator("[data-testid=task-card]").count()).toBe(30);
    const shown = await page.locator("[data-testid=task-card]").evaluateAll((els) => els.map((e) => e.getAttribute("data-task-id")));
    expect(shown).toEqual([...made].reverse());
    await context.close();
  });
});
