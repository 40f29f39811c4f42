// Debian's Chromium driven by playwright-core, started the way this machine
// allows: headless, no sandbox (root), no background network. Chromium is found
// (or installed) once by tests/e2e/browser-setup.ts; without it the tests that
// need it are skipped (browserIt), never in CI. Every page it
// opens reports Content-Security-Policy violations, and any test during which
// one happened fails: a blocked script or style is a broken page.
import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { afterEach, inject, it } from "vitest";
import { CHROMIUM_ARGS } from "./chromium-path";

const executablePath = inject("chromiumPath");

/** Whether this run has a browser; tests that need one are declared with browserIt. */
export const hasBrowser = executablePath !== null;

/** A test that drives Chromium: skipped when the global setup found none (outside CI). */
export const browserIt = it.skipIf(!hasBrowser);

export async function launchBrowser(): Promise<Browser> {
  if (!executablePath) throw new Error("Chromium is not installed (see the message at the start of the run)");
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  watchCsp(browser);
  return browser;
}

// Violations reported since the last check, from every browser of this test file.
const pending: string[] = [];

/** Takes the CSP violations reported since the last call (or the end of the last test). */
export function takeCspViolations(): string[] {
  return pending.splice(0);
}

afterEach(() => {
  const found = takeCspViolations();
  if (found.length) throw new Error(`Content Security Policy violations:\n  ${found.join("\n  ")}`);
});

function watchCsp(browser: Browser) {
  const watched = new WeakSet<BrowserContext>();
  const watch = async (context: BrowserContext) => {
    if (watched.has(context)) return;
    watched.add(context);
    await context.exposeBinding("__reportCspViolation", ({ page }, text: string) => void pending.push(`${page.url()}: ${text}`));
    // Before any of the page's own scripts: violations during parsing count too.
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        const report = (window as unknown as { __reportCspViolation: (t: string) => void }).__reportCspViolation;
        void report(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`);
      });
    });
    // Chromium also logs each refusal; this catches any the event missed (e.g. in workers).
    context.on("console", (msg) => {
      if (/content security policy/i.test(msg.text())) pending.push(`${msg.location().url}: console: ${msg.text()}`);
    });
  };
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    await watch(context);
    return context;
  };
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (options) => {
    const page = await newPage(options);
    await watch(page.context());
    return page;
  };
}
