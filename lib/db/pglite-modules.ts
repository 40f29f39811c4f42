// PGlite and its Prisma adapter, loaded on first use: importing PGlite costs
// about 40 MB of memory at once, which a process on PostgreSQL never needs.
// Loaded through require (their CommonJS builds) because the callers are
// synchronous; every caller goes through here, so all share one copy.
import { createRequire } from "node:module";

type PGliteModule = typeof import("@electric-sql/pglite");
type AdapterModule = typeof import("pglite-prisma-adapter");

const require = createRequire(import.meta.url);

export const loadPGlite = (): PGliteModule["PGlite"] => (require("@electric-sql/pglite") as PGliteModule).PGlite;
export const loadPrismaPGlite = (): AdapterModule["PrismaPGlite"] => (require("pglite-prisma-adapter") as AdapterModule).PrismaPGlite;
