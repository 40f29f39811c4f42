// Sign up, sign out, sign in, and the guard on protected pages, in Chromium
// against the production build.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserIt, hasBrowser, launchBrowser } from "./helpers/browser";
import { startPortal, type Portal } from "./helpers/portal";
import { signUp } from "./helpers/session";

let portal: Portal;
let browser: Browser;

beforeAll(async () => {
  portal = await startPortal({ SIGNIN_FAILURES_BEFORE_LOCKOUT: "3", SIGNIN_LOCKOUT_SECONDS: "120" });
  if (hasBrowser) browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

describe("accounts in the browser", () => {
  browserIt("signs up, signs out, signs back in, and guards protected pages", async () => {
    const page = await browser.newPage();
    await page.goto(`${portal.url}/settings/keys`);
    // Signed out: sent to sign-in, remembering where to return.
    expect(new URL(page.url()).pathname).toBe("/signin");
    expect(new URL(page.url()).searchParams.get("callbackUrl")).toBe("/settings/keys");
    // A visitor learns what the portal does before being asked for an account.
    expect(await page.locator("section[aria-labelledby=about-title]").textContent()).toMatch(
      /Images from your words, with Kling AI\..*same Kling text-to-image API/,
    );

    await page.goto(`${portal.url}/signup`);
    await page.fill("#email", "not-an-email");
    await page.fill("#password", "short");
    await page.click("button[type=submit]");
    await expect.poll(() => page.textContent("#email-error")).toBe("Enter a valid email address");
    expect(await page.textContent("#password-error")).toBe("Password must be at least 8 characters");

    await page.fill("#email", "ada@example.com");
    await page.fill("#password", "analytical engine");
    await page.click("button[type=submit]");
    await page.waitForURL(`${portal.url}/`);
    expect(await page.textContent("h1")).toBe("Create");

    // A second sign-up with the same email is refused inline.
    const other = await browser.newPage();
    await other.goto(`${portal.url}/signup`);
    await other.fill("#email", "ada@example.com");
    await other.fill("#password", "analytical engine");
    await other.click("button[type=submit]");
    await expect.poll(() => other.textContent("#email-error")).toMatch(/already/i);
    await other.close();

    await page.click("button[aria-label='Account menu']");
    await page.click("text=Sign out");
    await page.waitForURL(/\/signin/);
    await page.goto(`${portal.url}/`);
    expect(new URL(page.url()).pathname).toBe("/signin");

    await page.fill("#email", "ada@example.com");
    await page.fill("#password", "wrong password!");
    await page.click("button[type=submit]");
    await expect.poll(() => page.locator("form [role=alert]").textContent()).toBe("That email and password don't match an account.");

    await page.fill("#password", "analytical engine");
    await page.click("button[type=submit]");
    await page.waitForURL(`${portal.url}/`);
    await page.goto(`${portal.url}/settings/keys`);
    expect(await page.textContent("h1")).toBe("API keys");
    await page.close();
  });

  browserIt("locks sign-in out after repeated failures: the page says how long, the API answers 429 with Retry-After", async () => {
    await signUp(portal.url, "locked@example.com", "the right password");
    const page = await browser.newPage();
    await page.goto(`${portal.url}/signin`);
    await page.fill("#email", "locked@example.com");
    const submit = async (password: string) => {
      await page.fill("#password", password);
      await Promise.all([page.waitForResponse((r) => r.url().includes("/api/auth/callback/credentials")), page.click("button[type=submit]")]);
    };
    for (let i = 1; i <= 2; i++) {
      await submit(`wrong password ${i}`);
      await expect.poll(() => page.locator("form [role=alert]").textContent()).toBe("That email and password don't match an account.");
    }
    await submit("wrong password 3");
    await expect.poll(() => page.locator("form [role=alert]").textContent()).toMatch(/^Too many attempts, try again in 1[12]\d seconds\.$/);
    // Even the right password is refused while locked.
    await submit("the right password");
    await expect.poll(() => page.locator("form [role=alert]").textContent()).toMatch(/^Too many attempts, try again in \d+ seconds\.$/);
    expect(new URL(page.url()).pathname).toBe("/signin");
    await page.close();

    // Over HTTP, the way next-auth's client posts: 429, Retry-After, and the code in the JSON.
    const csrf = await fetch(`${portal.url}/api/auth/csrf`);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const res = await fetch(`${portal.url}/api/auth/callback/credentials`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Cookie: csrf.headers
          .getSetCookie()
          .map((c) => c.split(";")[0])
          .join("; "),
      },
      body: new URLSearchParams({ csrfToken, email: "locked@example.com", password: "the right password", json: "true" }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(100);
    expect(new URL((await res.json()).url).searchParams.get("error")).toMatch(/^TooManyAttempts:\d+$/);
    expect(res.headers.getSetCookie().some((c) => c.includes("session-token"))).toBe(false);
  });

  browserIt("shows each sign-in error code's message, and goes nowhere but this origin after sign-in", async () => {
    const page = await browser.newPage();
    await page.goto(`${portal.url}/signin?error=OAuthAccountNotLinked`);
    expect(await page.locator("form [role=alert]").textContent()).toMatch(
      /already exists and has a password: sign in with your password, then link GitHub or Google from Settings → Account/,
    );
    await page.goto(`${portal.url}/signin?error=TooManyAttempts:42`);
    expect(await page.locator("form [role=alert]").textContent()).toBe("Too many attempts, try again in 42 seconds.");

    await signUp(portal.url, "traveller@example.com", "stay at home please");
    await page.goto(`${portal.url}/signin?callbackUrl=${encodeURIComponent("/\\evil.example/%09/x")}`);
    await page.fill("#email", "traveller@example.com");
    await page.fill("#password", "stay at home please");
    await page.click("button[type=submit]");
    await page.waitForURL(`${portal.url}/`);
    await page.close();
  });

  it("answers API routes without a session with 401", async () => {
    for (const [method, path] of [
      ["GET", "/api/tasks"],
      ["POST", "/api/tasks"],
      ["GET", "/api/keys"],
      ["GET", "/api/tasks/x"],
    ]) {
      const res = await fetch(`${portal.url}${path}`, { method, headers: { "Content-Type": "application/json" }, body: method === "POST" ? "{}" : undefined });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect((await res.json()).error.code).toBe("unauthorized");
    }
  });

  it("reports a healthy database", async () => {
    const res = await fetch(`${portal.url}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", db: "ok" });
  });
});
