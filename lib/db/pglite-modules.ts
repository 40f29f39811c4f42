// PGlite and its Prisma adapter, loaded on first use: importing PGlite costs
// about 40 MB of memory at once, which a process on PostgreSQL never needs.
// Loaded through require (their CommonJS builds) because the callers are
// synchronous; every caller goes through here, so all share one copy.
import { createRequire } from "node:module";

type PGliteModule = typeof import("@electric-sql/pglite");
type AdapterModule = typeof import("pglite-prisma-adapter");

const require = createRequire(import.meta.url);

export const loadPGlite = (): PGliteModule["PGlite"] => (require("@electric-sql/pglite") as PGliteModule).PGlite;

// PostgreSQL's default 128 MB of shared buffers is allocated up front inside
// PGlite's WebAssembly memory; 32 MB holds a laptop's working set (the hot
// queries are index scans) and saves about 100 MB per open database. Reads
// beyond it come from the operating system's file cache.
const PGLITE_OPTIONS = { postgresqlconf: "shared_buffers = 32MB" };

/** An embedded database: a data folder, or "memory://". */
export const openPGlite = (dataDir: string) => new (loadPGlite())(dataDir, PGLITE_OPTIONS);
export const loadPrismaPGlite = (): AdapterModule["PrismaPGlite"] => (require("pglite-prisma-adapter") as AdapterModule).PrismaPGlite;
