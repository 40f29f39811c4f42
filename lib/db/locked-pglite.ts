// The owner's in-process view of PGlite for Prisma: every query, exec and whole
// transaction takes the session lock, so socket clients' groups never interleave
// with the app's own queries or run inside its transactions (and vice versa).
import type { PGlite } from "@electric-sql/pglite";
import type { SessionLock } from "./session-lock";

const locked = new Set<PropertyKey>(["query", "exec", "sql", "transaction", "describeQuery"]);

export function lockedPglite(db: PGlite, lock: SessionLock): PGlite {
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== "function") return value;
      // PGlite keeps its state in #private fields, so methods must run on the real instance.
      const bound = (value as (...args: unknown[]) => unknown).bind(target);
      if (!locked.has(prop)) return bound;
      return (...args: unknown[]) => lock.run(() => bound(...args) as Promise<unknown>);
    },
  });
}
