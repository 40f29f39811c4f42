import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resetConfig } from "@/lib/config";

const env = process.env as Record<string, string | undefined>;
const saved = { ...env };
afterEach(() => {
  for (const k of Object.keys(env)) if (!(k in saved)) delete env[k];
  Object.assign(env, saved);
  resetConfig();
  vi.resetModules();
});

describe("auth secret", () => {
  it("is generated once into DATA_DIR with owner-only permissions when AUTH_SECRET is unset", async () => {
    delete env.AUTH_SECRET;
    env.DATA_DIR = mkdtempSync(path.join(os.tmpdir(), "secret-"));
    resetConfig();
    const { getAuthSecret } = await import("@/lib/auth/secret");
    const secret = getAuthSecret();
    const file = path.join(env.DATA_DIR, "auth-secret");
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(file, "utf8").trim()).toBe(secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    vi.resetModules();
    const again = await import("@/lib/auth/secret");
    expect(again.getAuthSecret()).toBe(secret);
  });

  it.each([
    ["empty", ""],
    ["short", "too-short-secret\n"],
    ["31 characters", "x".repeat(31)],
  ])("refuses an existing %s secret file, naming it, and leaves it as it is", async (_what, content) => {
    delete env.AUTH_SECRET;
    env.DATA_DIR = mkdtempSync(path.join(os.tmpdir(), "secret-"));
    const file = path.join(env.DATA_DIR, "auth-secret");
    writeFileSync(file, content);
    resetConfig();
    const { getAuthSecret } = await import("@/lib/auth/secret");
    expect(() => getAuthSecret()).toThrow(`The auth secret in ${file} is ${content.trim().length} characters long; it must be at least 32`);
    expect(readFileSync(file, "utf8")).toBe(content);
  });

  it("keeps an existing secret file of 32 characters or more", async () => {
    delete env.AUTH_SECRET;
    env.DATA_DIR = mkdtempSync(path.join(os.tmpdir(), "secret-"));
    writeFileSync(path.join(env.DATA_DIR, "auth-secret"), `${"k".repeat(32)}\n`);
    resetConfig();
    const { getAuthSecret } = await import("@/lib/auth/secret");
    expect(getAuthSecret()).toBe("k".repeat(32));
  });

  it("uses AUTH_SECRET when given", async () => {
    env.AUTH_SECRET = "s".repeat(40);
    resetConfig();
    const { getAuthSecret } = await import("@/lib/auth/secret");
    expect(getAuthSecret()).toBe("s".repeat(40));
  });
});

describe("sign-in providers", () => {
  it("offers email and password alone by default, and GitHub and Google when configured", async () => {
    resetConfig();
    const { enabledOAuthProviders, getAuthOptions } = await import("@/lib/auth/options");
    expect(enabledOAuthProviders()).toEqual([]);
    expect(getAuthOptions().providers.map((p) => p.id)).toEqual(["credentials"]);
    Object.assign(env, { AUTH_GITHUB_ID: "gh", AUTH_GITHUB_SECRET: "ghs", AUTH_GOOGLE_ID: "go", AUTH_GOOGLE_SECRET: "gos" });
    resetConfig();
    vi.resetModules();
    const fresh = await import("@/lib/auth/options");
    expect(fresh.enabledOAuthProviders().map((p) => p.id)).toEqual(["github", "google"]);
    expect(
      fresh
        .getAuthOptions()
        .providers.map((p) => p.id)
        .sort(),
    ).toEqual(["credentials", "github", "google"]);
  });
});
