// The production bundle and whether it matches the sources. On the embedded
// database `npm start` builds when there is no build or the sources changed,
// so one command always serves fresh code; with several instances on
// PostgreSQL `npm run build` builds once and `npm start` only checks.
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pgliteTemplatePath } from "../db/pglite-template";

const inputs = [
  "app",
  "lib",
  "public",
  "proxy.ts",
  "instrumentation-client.ts",
  "next.config.mjs",
  "postcss.config.mjs",
  "tsconfig.json",
  "package.json",
  "package-lock.json",
  // The Prisma client the build bundles is generated from it (lib/generated is skipped below).
  "prisma/schema.prisma",
];
const skip = new Set(["node_modules", ".next", "generated", "cli"]);

export function sourceFingerprint(root: string): string {
  const hash = createHash("sha256");
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) if (!skip.has(name)) walk(path.join(p, name));
    } else {
      hash.update(path.relative(root, p)).update(readFileSync(p));
    }
  };
  for (const i of inputs) walk(path.join(root, i));
  return hash.digest("hex");
}

const stampPath = (root: string) => path.join(root, ".next", "source-fingerprint");

export type BuildState = "missing" | "stale" | "fresh";

export function buildState(root: string): BuildState {
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) return "missing";
  const stamp = stampPath(root);
  return existsSync(stamp) && readFileSync(stamp, "utf8") === sourceFingerprint(root) ? "fresh" : "stale";
}

export function ensureBuild(root: string, log: (msg: string) => void = console.log): void {
  if (buildState(root) === "fresh") {
    // node_modules (where it is kept) was reinstalled since the build.
    if (!existsSync(pgliteTemplatePath())) makeEmbeddedTemplate(root);
    return;
  }
  log("Building the portal (first start or sources changed)…");
  build(root);
}

/** Refuses to serve without a build matching the sources (instances never build, so they never build at once). */
export function requireBuild(root: string): void {
  const state = buildState(root);
  if (state === "missing")
    throw new Error("There is no production build: run `npm run build` once, then `npm start` (with a PostgreSQL DATABASE_URL, `npm start` does not build).");
  if (state === "stale")
    throw new Error("The production build does not match the sources (they changed since `npm run build`): run `npm run build` again, then `npm start`.");
}

/** `next build`, then records which sources it was built from. */
export function build(root: string): void {
  const fingerprint = sourceFingerprint(root);
  const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
  const result = spawnSync(process.execPath, [nextBin, "build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error("next build failed (see the output above)");
  makeEmbeddedTemplate(root);
  writeFileSync(stampPath(root), fingerprint);
}

/**
 * The empty embedded database new PGlite folders are unpacked from, made in a
 * process of its own (initdb's memory is never given back). Optional: without
 * it a new folder runs initdb when it is first opened, so a failure only warns.
 */
function makeEmbeddedTemplate(root: string): void {
  const result = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "lib", "cli", "pglite-template.ts")], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) console.warn("Warning: could not make the empty embedded database template; new PGlite folders will run initdb instead.");
}
