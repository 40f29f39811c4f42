// What `npm test` does about Chromium (tests/e2e/browser-setup.ts): use it,
// install it as root on Debian, or skip the browser tests saying how to
// install it; never skip in CI.
import { describe, expect, it } from "vitest";
import { chooseBrowser, INSTALL_CHROMIUM, type BrowserSituation } from "../e2e/browser-setup";

const none: BrowserSituation = { found: null, root: false, debian: true, ci: false };

function run(s: BrowserSituation, installs: string | null = null) {
  const logs: string[] = [];
  let installCalls = 0;
  const result = chooseBrowser(
    s,
    () => {
      installCalls++;
      return installs;
    },
    (m) => logs.push(m),
  );
  return { result, logs: logs.join("\n"), installCalls };
}

describe("finding Chromium for the browser tests", () => {
  it("uses an installed Chromium without installing anything", () => {
    expect(run({ ...none, root: true, found: "/usr/bin/chromium" })).toEqual({ result: "/usr/bin/chromium", logs: "", installCalls: 0 });
  });

  it("installs Debian's chromium when it is missing and the run is root on Debian", () => {
    expect(run({ ...none, root: true }, "/usr/bin/chromium")).toMatchObject({ result: "/usr/bin/chromium", installCalls: 1 });
  });

  it("otherwise prints the command to run and skips the browser tests", () => {
    const user = run(none);
    expect(user).toMatchObject({ result: null, installCalls: 0 });
    expect(user.logs).toContain(`sudo sh -c '${INSTALL_CHROMIUM}'`);
    expect(user.logs).toContain("browser tests are skipped");
    // Root, but the install failed (no network): the same message, without sudo.
    const failed = run({ ...none, root: true });
    expect(failed).toMatchObject({ result: null, installCalls: 1 });
    expect(failed.logs).toContain(`\`${INSTALL_CHROMIUM}\``);
    // Not Debian: nothing is installed.
    expect(run({ ...none, root: true, debian: false })).toMatchObject({ result: null, installCalls: 0 });
  });

  it("fails in CI instead of skipping", () => {
    expect(() => run({ ...none, ci: true })).toThrow(/Chromium is not installed.*In CI the browser tests must run/);
    expect(() => run({ ...none, root: true, ci: true })).toThrow(/In CI/);
  });
});
