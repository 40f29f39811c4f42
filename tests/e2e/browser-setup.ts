// Vitest global setup of the browser project: finds Chromium, installs Debian's
// package when it is missing and this runs as root, and otherwise tells how to
// install it while the browser tests report as skipped. In CI (CI set) a
// missing browser fails the run: a skip there would hide untested pages.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { findChromium } from "./helpers/chromium-path";

declare module "vitest" {
  interface ProvidedContext {
    chromiumPath: string | null;
  }
}

export const INSTALL_CHROMIUM = "apt-get update && apt-get install -y chromium";

export type BrowserSituation = { found: string | null; root: boolean; debian: boolean; ci: boolean };

/** The browser this run uses, installing it when allowed; null means the browser tests are skipped. Throws in CI. */
export function chooseBrowser(s: BrowserSituation, install: () => string | null, log: (msg: string) => void): string | null {
  if (s.found) return s.found;
  const installed = s.root && s.debian ? install() : null;
  if (installed) return installed;
  const how = s.root ? INSTALL_CHROMIUM : `sudo sh -c '${INSTALL_CHROMIUM}'`;
  const message = `Chromium is not installed: run \`${how}\` (Debian/Ubuntu) or set CHROMIUM_PATH to a Chromium binary.`;
  if (s.ci) throw new Error(`${message} In CI the browser tests must run, so this is a failure.`);
  log(`\n${message}\nThe browser tests are skipped in this run; everything else runs.\n`);
  return null;
}

export default function setup(project: TestProject) {
  const situation = {
    found: findChromium(),
    root: process.getuid?.() === 0,
    debian: existsSync("/etc/debian_version") && existsSync("/usr/bin/apt-get"),
    ci: !!process.env.CI,
  };
  project.provide("chromiumPath", chooseBrowser(situation, installChromium, console.log));
}

function installChromium(): string | null {
  console.log(`\nChromium is not installed: installing Debian's chromium package for the browser tests (${INSTALL_CHROMIUM})…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", "chromium"]]) {
    const run = spawnSync("apt-get", args, { stdio: ["ignore", "inherit", "inherit"], env });
    if (run.status !== 0) {
      console.log(`apt-get ${args.join(" ")} failed (exit ${run.status ?? run.signal}).`);
      return null;
    }
  }
  const found = findChromium();
  console.log(found ? `Installed Chromium at ${found}.\n` : "apt-get finished but no chromium binary was found.\n");
  return found;
}
