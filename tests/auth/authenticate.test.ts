import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { AccountDisabledError, authenticate, TooManyAttemptsError } from "@/lib/auth/authenticate";
import { setLoginThrottle, type LoginThrottle } from "@/lib/auth/login-throttle";
import { createPasswordUser } from "@/lib/auth/sign-up";
import * as password from "@/lib/auth/password";
import { describeEachDb } from "../helpers/db";
import { throttleFor } from "./throttle-helpers";

vi.mock("@/lib/auth/password", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/auth/password")>();
  return { ...real, verifyPassword: vi.fn(real.verifyPassword) };
});

describeEachDb("credentials sign-in throttling", (ctx) => {
  let throttle: LoginThrottle;
  beforeAll(async () => {
    throttle = throttleFor(ctx.url, { failuresBeforeLockout: 3, lockoutSeconds: 30, lockoutMaxSeconds: 60 });
    setLoginThrottle(throttle);
    await createPasswordUser({ email: "grace@example.com", password: "cobol rules ok" });
  });
  afterAll(async () => {
    setLoginThrottle(undefined);
    await throttle.close();
  });

  it("locks out after consecutive failures and then refuses without running Argon2, even the right password", async () => {
    const verify = vi.mocked(password.verifyPassword);
    verify.mockClear();
    const ip = "203.0.113.20";
    expect(await authenticate({ email: "grace@example.com", password: "wrong 1" }, ip)).toBeNull();
    expect(await authenticate({ email: "grace@example.com", password: "wrong 2" }, ip)).toBeNull();
    const locking = await authenticate({ email: "grace@example.com", password: "wrong 3" }, ip).catch((e) => e);
    expect(locking).toBeInstanceOf(TooManyAttemptsError);
    expect(locking.message).toBe("TooManyAttempts:30");
    expect(verify).toHaveBeenCalledTimes(3);

    const refused = await authenticate({ email: "Grace@example.com", password: "cobol rules ok" }, ip).catch((e) => e);
    expect(refused).toBeInstanceOf(TooManyAttemptsError);
    expect(refused.retryAfter).toBeGreaterThan(25);
    expect(verify).toHaveBeenCalledTimes(3);
    // The same account from elsewhere still signs in.
    expect(await authenticate({ email: "grace@example.com", password: "cobol rules ok" }, "198.51.100.20")).toMatchObject({ email: "grace@example.com" });
  });

  it("resets the count on success", async () => {
    const ip = "203.0.113.21";
    for (let round = 0; round < 3; round++) {
      expect(await authenticate({ email: "grace@example.com", password: "wrong" }, ip)).toBeNull();
      expect(await authenticate({ email: "grace@example.com", password: "wrong" }, ip)).toBeNull();
      expect(await authenticate({ email: "grace@example.com", password: "cobol rules ok" }, ip)).not.toBeNull();
    }
  });

  it("says a disabled account is disabled only after the right password; a wrong one stays a plain failure", async () => {
    await createPasswordUser({ email: "off@example.com", password: "disabled user pw" });
    await ctx.db.user.update({ where: { email: "off@example.com" }, data: { disabledAt: new Date() } });
    const ip = "203.0.113.22";
    expect(await authenticate({ email: "off@example.com", password: "a wrong one" }, ip)).toBeNull();
    const refused = await authenticate({ email: "off@example.com", password: "disabled user pw" }, ip).catch((e) => e);
    expect(refused).toBeInstanceOf(AccountDisabledError);
    expect(refused.message).toBe("AccountDisabled");
  });
});
