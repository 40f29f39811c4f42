// The history page as a person has it open: 9 cards in progress. Counts what
// the page asks the server for per minute (streams vs polls), then sends
// upstream callbacks and times how long each takes to reach the screen.
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, findChromium } from "../e2e/helpers/chromium-path";
import { LIVE_CARDS, liveSecret, liveUpstreamId } from "./seed";

export type LivePageResult = {
  live_page_requests_per_min: number;
  /** Streams opened from page load to the end of the window. */
  live_page_streams: number;
  live_page_polls_per_min: number;
  live_callback_to_screen_p50_ms: number;
  live_callback_to_screen_max_ms: number;
};

const chromiumPath = () => {
  const found = findChromium();
  if (!found) throw new Error("Chromium is not installed: apt-get install -y chromium, or set CHROMIUM_PATH");
  return found;
};

export async function measureLivePage(base: string, cookie: string, opts: { watchSeconds: number }): Promise<LivePageResult> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const url = new URL(base);
    await context.addCookies(
      cookie.split("; ").map((pair) => {
        const i = pair.indexOf("=");
        return { name: pair.slice(0, i), value: pair.slice(i + 1), domain: url.hostname, path: "/" };
      }),
    );
    const page = await context.newPage();
    // Every API request from the page's first byte: the stream opens once, polls repeat.
    const seen: { path: string; at: number }[] = [];
    page.on("request", (r) => {
      const p = new URL(r.url()).pathname;
      if (p.startsWith("/api/")) seen.push({ path: p, at: performance.now() });
    });
    await page.goto(`${base}/`, { waitUntil: "load" });
    await page.waitForSelector(`[data-task-id="blive0"]`);
    // Settle after hydration, then watch a whole window.
    await page.waitForTimeout(2000);
    const from = performance.now();
    await page.waitForTimeout(opts.watchSeconds * 1000);
    const inWindow = seen.filter((r) => r.at >= from);
    const perMin = (n: number) => Math.round((n * 60) / opts.watchSeconds);
    const isStream = (p: string) => p === "/api/tasks/events";
    const result = {
      live_page_requests_per_min: perMin(inWindow.length),
      live_page_streams: seen.filter((r) => isStream(r.path)).length,
      live_page_polls_per_min: perMin(inWindow.filter((r) => !isStream(r.path)).length),
    };
    const times: number[] = [];
    for (let i = 0; i < Math.min(4, LIVE_CARDS); i++) {
      const started = performance.now();
      const res = await fetch(`${base}/api/callbacks/kling/${liveSecret(i)}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          task_id: liveUpstreamId(i),
          task_status: "processing",
          task_status_msg: "",
          task_result: { images: [] },
          created_at: Date.now() - 1000,
          updated_at: Date.now(),
        }),
      });
      if (!res.ok) throw new Error(`live callback ${i}: ${res.status} ${await res.text()}`);
      await page.waitForSelector(`[data-task-id="blive${i}"][data-status="processing"]`, { timeout: 30_000 });
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return {
      ...result,
      live_callback_to_screen_p50_ms: Math.round(times[Math.floor(times.length / 2)]),
      live_callback_to_screen_max_ms: Math.round(times[times.length - 1]),
    };
  } finally {
    await browser.close();
  }
}
