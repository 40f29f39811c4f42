import { describe, expect, it } from "vitest";
import { notLinkedCode, retryAfterOf, signInErrorMessage, tooManyAttemptsCode } from "@/lib/auth/sign-in-errors";

describe("sign-in error codes", () => {
  it("carries the wait in the throttling code and says it", () => {
    expect(tooManyAttemptsCode(41.2)).toBe("TooManyAttempts:42");
    expect(retryAfterOf("TooManyAttempts:42")).toBe(42);
    expect(retryAfterOf("TooManyAttempts:abc")).toBeNull();
    expect(signInErrorMessage("TooManyAttempts:42")).toBe("Too many attempts, try again in 42 seconds.");
    expect(signInErrorMessage("TooManyAttempts:1")).toBe("Too many attempts, try again in 1 second.");
  });

  it("tells a refused OAuth sign-in to use the password, and never echoes an unknown code", () => {
    expect(signInErrorMessage("OAuthAccountNotLinked")).toMatch(/sign in with your password, then link GitHub or Google from Settings → Account/);
    expect(notLinkedCode("google")).toBe("OAuthAccountNotLinked:google");
    expect(notLinkedCode("other")).toBe("OAuthAccountNotLinked");
    expect(signInErrorMessage("OAuthAccountNotLinked:github")).toBe(
      "An account with this email already exists and has a password: sign in with your password, then link GitHub from Settings → Account.",
    );
    expect(signInErrorMessage("OAuthAccountNotLinked:gitlab")).toBe("Sign-in failed. Try again.");
    expect(signInErrorMessage("LinkNoSession")).toMatch(/signed in as the account that asked/);
    expect(signInErrorMessage("OAuthEmailUnverified")).toMatch(/not verified/);
    expect(signInErrorMessage("<script>")).toBe("Sign-in failed. Try again.");
  });
});
