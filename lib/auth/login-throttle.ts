// Slows password guessing on sign-in and sign-up, before any Argon2 work:
// consecutive failures per (email, IP) lock that pair out for a delay that
// doubles with each lockout (reset by a success), and failures per IP per day
// cap slow guessing across many emails. rate-limiter-flexible's login pattern.
import { createHash } from "node:crypto";
import { getConfig } from "../config";
import { configuredStore, type LimiterStore } from "./limiter-store";

export type ThrottleLimits = { failuresBeforeLockout: number; lockoutSeconds: number; lockoutMaxSeconds: number; failuresPerIpPerDay: number };
export type LoginThrottle = {
  /** Seconds to wait before trying again, or null when an attempt may run. */
  retryAfter(email: string, ip: string): Promise<number | null>;
  /** Counts a failure; the seconds of the lockout it started, or null. */
  failed(email: string, ip: string): Promise<number | null>;
  succeeded(email: string, ip: string): Promise<void>;
  close(): Promise<void>;
};

const DAY = 86_400;

// Hashed: keys stay within the table's 255 characters, and the table holds no email addresses.
const pairKey = (email: string, ip: string) => createHash("sha256").update(`${email.toLowerCase()}\n${ip}`).digest("base64url");
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export function createLoginThrottle(limits: ThrottleLimits, store: LimiterStore): LoginThrottle {
  const consecutive = store.make({ keyPrefix: "signin-fails", points: limits.failuresBeforeLockout, duration: DAY });
  const lockouts = store.make({ keyPrefix: "signin-lockouts", points: 1_000_000, duration: DAY });
  const perIp = store.make({ keyPrefix: "signin-fails-ip", points: limits.failuresPerIpPerDay, duration: DAY });

  return {
    async retryAfter(email, ip) {
      await store.ready;
      const [pair, ipDay] = await Promise.all([consecutive.get(pairKey(email, ip)), perIp.get(ip)]);
      const waits: number[] = [];
      // A lockout is a block: more points consumed than allowed.
      if (pair && pair.consumedPoints > limits.failuresBeforeLockout) waits.push(pair.msBeforeNext);
      if (ipDay && ipDay.consumedPoints >= limits.failuresPerIpPerDay) waits.push(ipDay.msBeforeNext);
      return waits.length ? seconds(Math.max(...waits)) : null;
    },
    async failed(email, ip) {
      await store.ready;
      const key = pairKey(email, ip);
      const [pair, ipDay] = await Promise.all([consecutive.penalty(key), perIp.penalty(ip)]);
      let wait: number | null = ipDay.consumedPoints >= limits.failuresPerIpPerDay ? seconds(ipDay.msBeforeNext) : null;
      if (pair.consumedPoints >= limits.failuresBeforeLockout) {
        const count = (await lockouts.penalty(key)).consumedPoints;
        const lock = Math.min(limits.lockoutMaxSeconds, limits.lockoutSeconds * 2 ** Math.min(count - 1, 30));
        await consecutive.block(key, lock);
        wait = Math.max(wait ?? 0, lock);
      }
      return wait;
    },
    async succeeded(email, ip) {
      await store.ready;
      const key = pairKey(email, ip);
      await Promise.all([consecutive.delete(key), lockouts.delete(key)]);
    },
    close: () => store.close(),
  };
}

const holder = Symbol.for("kling-portal.login-throttle");
type Holder = { [holder]?: LoginThrottle };

/** The process's throttle, from configuration. */
export function getLoginThrottle(): LoginThrottle {
  const g = globalThis as Holder;
  if (!g[holder]) {
    const c = getConfig();
    g[holder] = createLoginThrottle(
      {
        failuresBeforeLockout: c.SIGNIN_FAILURES_BEFORE_LOCKOUT,
        lockoutSeconds: c.SIGNIN_LOCKOUT_SECONDS,
        lockoutMaxSeconds: c.SIGNIN_LOCKOUT_MAX_SECONDS,
        failuresPerIpPerDay: c.SIGNIN_FAILURES_PER_IP_PER_DAY,
      },
      configuredStore(),
    );
  }
  return g[holder];
}

/** Installs a throttle built elsewhere (tests), or forgets it with undefined. */
export function setLoginThrottle(throttle: LoginThrottle | undefined): void {
  const g = globalThis as Holder;
  if (throttle) g[holder] = throttle;
  else delete g[holder];
}
