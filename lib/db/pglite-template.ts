// An empty embedded database, made once by `npm run build` and unpacked into
// each new PGlite folder instead of running PostgreSQL's initdb there. PGlite's
// initdb runs a second, temporary PostgreSQL next to the first (about 750 MB
// of memory at its height); unpacking the template into a new folder peaks
// near 340 MB, and takes a second less (README, Performance). Without a
// template (install scripts skipped, another PGlite version) folders are
// created with initdb, as before. The template's path is outside the app, so
// its file calls tell Turbopack not to trace them (turbopackIgnore).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/** Keyed by PGlite's version: a data folder made by one version is not read by another. */
export function pgliteTemplatePath(): string {
  // Its package.json is not exported: found from the entry point, <node_modules>/@electric-sql/pglite/dist/….
  const entry = require.resolve("@electric-sql/pglite");
  const marker = `${path.sep}@electric-sql${path.sep}pglite${path.sep}`;
  const pkgDir = entry.slice(0, entry.lastIndexOf(marker) + marker.length);
  const { version } = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8")) as { version: string };
  const nodeModules = path.resolve(pkgDir, "..", "..");
  return path.join(nodeModules, ".cache", "kling-portal", `pglite-${version}-initdb.tar.gz`);
}

/** What a folder about to be opened should be created from: the template when it holds no database yet and one exists. */
export function templateFor(dataDir: string, given?: string): Blob | undefined {
  if (dataDir.startsWith("memory://") || existsSync(path.join(dataDir, "PG_VERSION"))) return undefined;
  // Looked up only for a folder about to be created (PGlite's package.json is read to find it).
  const template = given ?? pgliteTemplatePath();
  if (!existsSync(/*turbopackIgnore: true*/ template)) return undefined;
  return new Blob([readFileSync(/*turbopackIgnore: true*/ template)]);
}

/**
 * Makes the template unless it exists: a fresh in-memory PGlite's data folder,
 * dumped as PGlite's own tarball. Run in a short-lived process (`npm run build`
 * spawns lib/cli/pglite-template.ts): WebAssembly memory is never given back.
 */
export async function makePgliteTemplate(
  template = pgliteTemplatePath(),
  open: (dir: string) => { waitReady: Promise<void>; dumpDataDir(c: "gzip"): Promise<Blob | File>; close(): Promise<void> },
): Promise<"made" | "exists"> {
  if (existsSync(/*turbopackIgnore: true*/ template)) return "exists";
  const db = open("memory://");
  try {
    await db.waitReady;
    const bytes = Buffer.from(await (await db.dumpDataDir("gzip")).arrayBuffer());
    mkdirSync(/*turbopackIgnore: true*/ path.dirname(template), { recursive: true });
    // Written aside and renamed, so a process opening a folder meanwhile never reads half a template.
    const partial = `${template}.${process.pid}.partial`;
    writeFileSync(/*turbopackIgnore: true*/ partial, bytes);
    renameSync(/*turbopackIgnore: true*/ partial, template);
    return "made";
  } finally {
    await db.close();
  }
}
