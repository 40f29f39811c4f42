// The owner's in-process view of PGlite for Prisma: every query, exec and whole
// transaction takes the session lock, so socket clients' groups never interleave
// with the app's own queries or run inside its transactions (and vice versa).
import type { PGlite } from "@electric-sql/pglite";
import type { SessionLock } from "./session-lock";

const locked = new Set<PropertyKey>(["query", "exec", "sql", "transaction", "describeQuery"]);
// The proxy answers its lock under this key; global, since Next.js bundles and the server each load this module.
const SESSION_LOCK = Symbol.for("kling-portal.pglite-session-lock");

export function lockedPglite(db: PGlite, lock: SessionLock): PGlite {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === SESSION_LOCK) return lock;
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== "function") return value;
      // PGlite keeps its state in #private fields, so methods must run on the real instance.
      const bound = (value as (...args: unknown[]) => unknown).bind(target);
      if (!locked.has(prop)) return bound;
      return (...args: unknown[]) => lock.run(() => bound(...args) as Promise<unknown>);
    },
  });
}

/** Runs fn under db's session lock when db is the owner's locked view (as its query() would), else at once. */
export function underSessionLock<T>(db: PGlite, fn: () => Promise<T>): Promise<T> {
  const lock = (db as unknown as { [SESSION_LOCK]?: SessionLock })[SESSION_LOCK];
  return lock ? lock.run(fn) : fn();
}
