// Slows password guessing on sign-in and sign-up, before any Argon2 work
// (rate-limiter-flexible's login pattern, with one more counter):
// - consecutive failures per (email, IP) lock that pair out;
// - consecutive failures per account, from any address, lock the account out,
//   at a higher threshold, so guessing spread over many addresses is bounded too;
// - failures per IP per day cap slow guessing across many emails.
// Each lockout lasts twice the one before (up to the maximum); a success resets
// the pair's and the account's counts.
import { createHash } from "node:crypto";
import type { RateLimiterAbstract } from "rate-limiter-flexible";
import { getConfig } from "../config";
import { configuredStore, type LimiterStore } from "../rate-limit/limiter-store";

export type ThrottleLimits = {
  failuresBeforeLockout: number;
  failuresPerAccountBeforeLockout: number;
  lockoutSeconds: number;
  lockoutMaxSeconds: number;
  failuresPerIpPerDay: number;
};
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
const hashKey = (text: string) => createHash("sha256").update(text).digest("base64url");
const pairKey = (email: string, ip: string) => hashKey(`${email.toLowerCase()}\n${ip}`);
const accountKey = (email: string) => hashKey(`account\n${email.toLowerCase()}`);
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** Consecutive failures under one key, locking it out for a doubling delay once `threshold` is reached. */
function lockoutCounter(store: LimiterStore, name: string, threshold: number, limits: ThrottleLimits) {
  const fails: RateLimiterAbstract = store.make({ keyPrefix: `${name}-fails`, points: threshold, duration: DAY });
  const lockouts: RateLimiterAbstract = store.make({ keyPrefix: `${name}-lockouts`, points: 1_000_000, duration: DAY });
  return {
    /** Milliseconds left of a lockout, or 0. A lockout is a block: more points consumed than allowed. */
    async waitMs(key: string) {
      const state = await fails.get(key);
      return state && state.consumedPoints > threshold ? state.msBeforeNext : 0;
    },
    /** Counts a failure; the seconds of the lockout it started, or 0. */
    async failed(key: string) {
      if ((await fails.penalty(key)).consumedPoints < threshold) return 0;
      const count = (await lockouts.penalty(key)).consumedPoints;
      const lock = Math.min(limits.lockoutMaxSeconds, limits.lockoutSeconds * 2 ** Math.min(count - 1, 30));
      await fails.block(key, lock);
      return lock;
    },
    async reset(key: string) {
      await Promise.all([fails.delete(key), lockouts.delete(key)]);
    },
  };
}

export function createLoginThrottle(limits: ThrottleLimits, store: LimiterStore): LoginThrottle {
  // Key prefixes are kept from the first version so counts survive an upgrade.
  const pair = lockoutCounter(store, "signin", limits.failuresBeforeLockout, limits);
  const account = lockoutCounter(store, "signin-account", limits.failuresPerAccountBeforeLockout, limits);
  const perIp = store.make({ keyPrefix: "signin-fails-ip", points: limits.failuresPerIpPerDay, duration: DAY });
  const ipWaitMs = (state: { consumedPoints: number; msBeforeNext: number } | null) =>
    state && state.consumedPoints >= limits.failuresPerIpPerDay ? state.msBeforeNext : 0;

  return {
    async retryAfter(email, ip) {
      await store.ready;
      const waits = await Promise.all([pair.waitMs(pairKey(email, ip)), account.waitMs(accountKey(email)), perIp.get(ip).then(ipWaitMs)]);
      const wait = Math.max(...waits);
      return wait > 0 ? seconds(wait) : null;
    },
    async failed(email, ip) {
      await store.ready;
      const [pairLock, accountLock, ipWait] = await Promise.all([
        pair.failed(pairKey(email, ip)),
        account.failed(accountKey(email)),
        perIp.penalty(ip).then(ipWaitMs),
      ]);
      const wait = Math.max(pairLock, accountLock, ipWait > 0 ? seconds(ipWait) : 0);
      return wait > 0 ? wait : null;
    },
    async succeeded(email, ip) {
      await store.ready;
      await Promise.all([pair.reset(pairKey(email, ip)), account.reset(accountKey(email))]);
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
        failuresPerAccountBeforeLockout: c.SIGNIN_FAILURES_PER_ACCOUNT_BEFORE_LOCKOUT,
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
