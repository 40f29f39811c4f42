// A login throttle on the suite's database kind: PostgreSQL's table when the suite runs there, memory on PGlite.
import { databaseTarget } from "@/lib/db/adapter";
import { memoryStore, postgresStore } from "@/lib/rate-limit/limiter-store";
import { createLoginThrottle, type ThrottleLimits } from "@/lib/auth/login-throttle";

export function throttleFor(url: string | undefined, limits: Partial<ThrottleLimits> = {}) {
  const target = url ? databaseTarget({ DATABASE_URL: url, DATA_DIR: "/nonexistent" }) : null;
  const store = target?.kind === "postgres" ? postgresStore(target.url, target.schema) : memoryStore();
  return createLoginThrottle(
    { failuresBeforeLockout: 3, failuresPerAccountBeforeLockout: 100, lockoutSeconds: 1, lockoutMaxSeconds: 2, failuresPerIpPerDay: 100, ...limits },
    store,
  );
}
