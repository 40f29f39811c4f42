import { describe, expect, it } from "vitest";
import { getAuthSecret } from "@/lib/auth/secret";
import { ConfigError, loadConfig, resetConfig } from "@/lib/config";

const variables = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => i.variable);
  }
};

describe("configuration", () => {
  it("has working defaults for the zero-config path", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, KLING_PROVIDER: "local", PUBLIC_URL: "http://localhost:3000", RECONCILER_ENABLED: true, TASK_DEADLINE_SECONDS: 900 });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(loadConfig({ PORT: "4100" }).PUBLIC_URL).toBe("http://localhost:4100");
    expect(loadConfig({ PUBLIC_URL: "https://img.example.com/" }).PUBLIC_URL).toBe("https://img.example.com");
  });

  it("names every bad variable", () => {
    expect(variables({ PORT: "http" })).toEqual(["PORT"]);
    expect(variables({ DATABASE_URL: "mysql://x" })).toEqual(["DATABASE_URL"]);
    expect(variables({ KLING_PROVIDER: "midjourney" })).toEqual(["KLING_PROVIDER"]);
    expect(variables({ KLING_PROVIDER: "appypie" })).toEqual(["APPYPIE_SUBSCRIPTION_KEY"]);
    expect(variables({ KLING_PROVIDER: "kling", KLING_ACCESS_KEY: "ak" })).toEqual(["KLING_SECRET_KEY"]);
    expect(variables({ EMULATOR_FAULTS: "status=200" })).toEqual(["EMULATOR_FAULTS"]);
    expect(variables({ AUTH_SECRET: "short" })).toEqual(["AUTH_SECRET"]);
    expect(variables({ S3_BUCKET: "bucket" })).toEqual(["S3_BUCKET"]);
    expect(variables({ RECONCILER_ENABLED: "maybe", CALLBACK_ALLOW_PRIVATE: "sure" })).toEqual(["RECONCILER_ENABLED", "CALLBACK_ALLOW_PRIVATE"]);
    expect(variables({ ADMIN_EMAILS: "ops@example.com, not-an-address" })).toEqual(["ADMIN_EMAILS"]);
    expect(variables({ KLING_MAX_CONCURRENCY: "0" })).toEqual(["KLING_MAX_CONCURRENCY"]);
    expect(variables({ KLING_MAX_CONCURRENCY: "2.5" })).toEqual(["KLING_MAX_CONCURRENCY"]);
  });

  it("reads KLING_MAX_CONCURRENCY as image slots, unlimited (no portal queue) when unset or empty", () => {
    expect(loadConfig({}).KLING_MAX_CONCURRENCY).toBeUndefined();
    expect(loadConfig({ KLING_MAX_CONCURRENCY: "" }).KLING_MAX_CONCURRENCY).toBeUndefined();
    expect(loadConfig({ KLING_MAX_CONCURRENCY: "4" }).KLING_MAX_CONCURRENCY).toBe(4);
  });

  it("reads ADMIN_EMAILS as a lower-cased list, empty by default", () => {
    expect(loadConfig({}).ADMIN_EMAILS).toEqual([]);
    expect(loadConfig({ ADMIN_EMAILS: " Ops@Example.com ,, boss@example.com " }).ADMIN_EMAILS).toEqual(["ops@example.com", "boss@example.com"]);
  });

  it("requires AUTH_SECRET with PostgreSQL where something signs (instances must share it), not to read the configuration nor on the embedded database", () => {
    // db:migrate, admin and the emulator read the configuration and sign nothing.
    expect(variables({ DATABASE_URL: "postgresql://db.internal/portal" })).toEqual([]);
    expect(variables({ DATABASE_URL: "pglite:./elsewhere" })).toEqual([]);
    const env = process.env as Record<string, string | undefined>;
    const saved = { DATABASE_URL: env.DATABASE_URL, AUTH_SECRET: env.AUTH_SECRET };
    try {
      Object.assign(env, { DATABASE_URL: "postgres://db.internal/portal", AUTH_SECRET: "" });
      resetConfig();
      expect(() => getAuthSecret()).toThrow(/AUTH_SECRET is required with a PostgreSQL DATABASE_URL/);
      expect(() => getAuthSecret()).toThrow(ConfigError);
      env.AUTH_SECRET = "x".repeat(32);
      resetConfig();
      expect(getAuthSecret()).toBe("x".repeat(32));
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete env[k];
        else env[k] = v;
      }
      resetConfig();
    }
  });

  it("says which variable is wrong and why in its message", () => {
    expect(() => loadConfig({ PORT: "0" })).toThrow(/PORT .*>=1/);
  });
});
