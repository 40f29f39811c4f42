// PGlite and its Prisma adapter, loaded on first use: importing PGlite costs
// about 40 MB of memory at once, which a process on PostgreSQL never needs.
// Loaded through require (their CommonJS builds) because the callers are
// synchronous; every caller goes through here, so all share one copy.
import { createRequire } from "node:module";
import v8 from "node:v8";
import { templateFor } from "./pglite-template";

type PGliteModule = typeof import("@electric-sql/pglite");
type AdapterModule = typeof import("pglite-prisma-adapter");

const require = createRequire(import.meta.url);

export const loadPGlite = (): PGliteModule["PGlite"] => {
  // V8 compiles a WebAssembly module's hot functions again with its optimising compiler,
  // by default in as many parallel jobs as it has worker threads; each job's working
  // memory stays resident afterwards. For PGlite's PostgreSQL that is about 40 MB,
  // which one job at a time does not leave; queries ran as fast in a micro-benchmark (README, Performance).
  // Only compiling it with the baseline compiler alone (--liftoff-only) saves 15 MB more,
  // but makes every query 15-30% slower. Set before PGlite's module is compiled.
  v8.setFlagsFromString("--wasm-num-compilation-tasks=1");
  return (require("@electric-sql/pglite") as PGliteModule).PGlite;
};

/** PGlite's wire-protocol messages and its parser of their answers (pglite-prepared.ts); PGlite is loaded by then. */
export const loadPGliteProtocol = (): Pick<PGliteModule, "parse" | "protocol"> => (pgliteModule ??= require("@electric-sql/pglite") as PGliteModule);
let pgliteModule: PGliteModule | undefined;

// PostgreSQL's default 128 MB of shared buffers is allocated up front inside
// PGlite's WebAssembly memory; 32 MB holds a laptop's working set (the hot
// queries are index scans) and saves about 100 MB per open database. Reads
// beyond it come from the operating system's file cache.
const PGLITE_OPTIONS = { postgresqlconf: "shared_buffers = 32MB" };

/** An embedded database: a data folder, or "memory://". A new folder is unpacked from the build's template when there is one. */
export const openPGlite = (dataDir: string, template?: string) => {
  const loadDataDir = templateFor(dataDir, template);
  return new (loadPGlite())(dataDir, loadDataDir ? { ...PGLITE_OPTIONS, loadDataDir } : PGLITE_OPTIONS);
};
export const loadPrismaPGlite = (): AdapterModule["PrismaPGlite"] => (require("pglite-prisma-adapter") as AdapterModule).PrismaPGlite;
