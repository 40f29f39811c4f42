// The only reader of process.env: every variable is validated here once, and a
// bad value stops start-up with a message naming the variable.
import path from "node:path";
import { z } from "zod";
import { FaultSpecError, parseFaults } from "./kling/emulator/faults";

const bool = z.enum(["true", "false", "1", "0", "yes", "no", ""]).transform((v) => v === "true" || v === "1" || v === "yes");
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const httpUrl = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ""));
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema.optional());

export const configSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: int(1, 65535).default(3000),
    HOST: z.string().min(1).default("0.0.0.0"),
    PUBLIC_URL: optional(httpUrl),
    DATA_DIR: z.string().min(1).default("./data"),
    DATABASE_URL: optional(z.string().regex(/^(postgres(ql)?:\/\/|pglite:)/, "must be a postgres:// URL or pglite:memory / pglite:<folder>")),
    DATABASE_POOL_SIZE: int(1, 100).default(10),
    DATABASE_PREPARED_STATEMENTS: bool.default(true),
    AUTH_SECRET: optional(z.string().min(32, "must be at least 32 characters")),
    AUTH_GITHUB_ID: optional(z.string()),
    AUTH_GITHUB_SECRET: optional(z.string()),
    AUTH_GOOGLE_ID: optional(z.string()),
    AUTH_GOOGLE_SECRET: optional(z.string()),
    KLING_PROVIDER: z.enum(["local", "appypie", "kling"]).default("local"),
    APPYPIE_BASE_URL: httpUrl.default("https://gateway.appypie.com"),
    APPYPIE_SUBSCRIPTION_KEY: optional(z.string().min(1)),
    KLING_BASE_URL: httpUrl.default("https://api-singapore.klingai.com"),
    KLING_ACCESS_KEY: optional(z.string().min(1)),
    KLING_SECRET_KEY: optional(z.string().min(1)),
    KLING_MODEL: optional(z.string().min(1)),
    KLING_TIMEOUT_MS: int(100, 600_000).default(30_000),
    EMULATOR_KEYS: optional(z.string()),
    EMULATOR_DURATION_MS: int(0, 600_000).default(4000),
    EMULATOR_FAILURE_RATE: num(0, 1).default(0),
    EMULATOR_FAULTS: optional(
      z.string().superRefine((v, ctx) => {
        try {
          parseFaults(v);
        } catch (err) {
          if (err instanceof FaultSpecError) ctx.addIssue({ code: "custom", message: err.message });
          else throw err;
        }
      }),
    ),
    RECONCILER_ENABLED: bool.default(true),
    RECONCILER_INTERVAL_MS: int(100, 3_600_000).default(2000),
    RECONCILER_CONCURRENCY: int(1, 64).default(4),
    TASK_DEADLINE_SECONDS: int(10, 86_400).default(900),
    // Kling account concurrency in image slots (a task takes n); unset = unlimited, no portal queue.
    KLING_MAX_CONCURRENCY: optional(int(1, 100_000)),
    SUBMIT_CONFIRM_SECONDS: int(10, 86_400).default(600),
    CRON_SECRET: optional(z.string().min(16, "must be at least 16 characters")),
    METRICS_TOKEN: optional(z.string().min(16, "must be at least 16 characters")),
    WORKER_METRICS_PORT: optional(int(1, 65_535)),
    S3_ENDPOINT: optional(httpUrl),
    S3_BUCKET: optional(z.string().min(3)),
    S3_REGION: z.string().min(1).default("us-east-1"),
    S3_ACCESS_KEY_ID: optional(z.string().min(1)),
    S3_SECRET_ACCESS_KEY: optional(z.string().min(1)),
    S3_FORCE_PATH_STYLE: bool.default(true),
    RATE_LIMIT_SUBMIT_PER_MINUTE: int(1, 100_000).default(30),
    RATE_LIMIT_STATUS_PER_MINUTE: int(1, 100_000).default(600),
    SIGNIN_FAILURES_BEFORE_LOCKOUT: int(1, 1000).default(5),
    SIGNIN_FAILURES_PER_ACCOUNT_BEFORE_LOCKOUT: int(1, 10_000).default(20),
    SIGNIN_LOCKOUT_SECONDS: int(1, 86_400).default(60),
    SIGNIN_LOCKOUT_MAX_SECONDS: int(1, 30 * 86_400).default(3600),
    SIGNIN_FAILURES_PER_IP_PER_DAY: int(1, 1_000_000).default(100),
    TRUST_PROXY_HOPS: int(0, 10).default(0),
    CALLBACK_ALLOW_PRIVATE: bool.default(false),
    SOURCE_MAPS: bool.default(false),
    MAX_API_KEYS_PER_USER: int(1, 1000).default(20),
    // Images a user may generate per calendar month (UTC); unset is unlimited. Overridden per user by `npm run admin -- set-quota`.
    QUOTA_IMAGES_PER_MONTH: optional(int(0, 100_000_000)),
    ADMIN_EMAILS: z
      .string()
      .default("")
      .transform((v) =>
        v
          .split(",")
          .map((e) => e.trim().toLowerCase())
          .filter(Boolean),
      )
      .pipe(z.array(z.email({ error: "must be a comma-separated list of email addresses" }))),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .superRefine((c, ctx) => {
    const need = (cond: boolean, key: string, why: string) => {
      if (cond) ctx.addIssue({ code: "custom", path: [key], message: why });
    };
    need(c.KLING_PROVIDER === "appypie" && !c.APPYPIE_SUBSCRIPTION_KEY, "APPYPIE_SUBSCRIPTION_KEY", "is required when KLING_PROVIDER=appypie");
    need(c.KLING_PROVIDER === "kling" && !c.KLING_ACCESS_KEY, "KLING_ACCESS_KEY", "is required when KLING_PROVIDER=kling");
    need(c.KLING_PROVIDER === "kling" && !c.KLING_SECRET_KEY, "KLING_SECRET_KEY", "is required when KLING_PROVIDER=kling");
    need(!!c.AUTH_GITHUB_ID !== !!c.AUTH_GITHUB_SECRET, "AUTH_GITHUB_SECRET", "AUTH_GITHUB_ID and AUTH_GITHUB_SECRET go together");
    need(!!c.AUTH_GOOGLE_ID !== !!c.AUTH_GOOGLE_SECRET, "AUTH_GOOGLE_SECRET", "AUTH_GOOGLE_ID and AUTH_GOOGLE_SECRET go together");
    need(c.WORKER_METRICS_PORT !== undefined && !c.METRICS_TOKEN, "METRICS_TOKEN", "is required with WORKER_METRICS_PORT (scrapers send it as a bearer token)");
    need(c.SIGNIN_LOCKOUT_MAX_SECONDS < c.SIGNIN_LOCKOUT_SECONDS, "SIGNIN_LOCKOUT_MAX_SECONDS", "must be at least SIGNIN_LOCKOUT_SECONDS");
    const s3 = [c.S3_BUCKET, c.S3_ACCESS_KEY_ID, c.S3_SECRET_ACCESS_KEY];
    need(s3.some(Boolean) && !s3.every(Boolean), "S3_BUCKET", "S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together");
  })
  .transform((c) => ({
    ...c,
    DATA_DIR: path.resolve(c.DATA_DIR),
    PUBLIC_URL: c.PUBLIC_URL ?? `http://localhost:${c.PORT}`,
  }));

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(public readonly issues: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  ${i.variable} ${i.message}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses an environment (process.env by default) into a typed config or throws ConfigError. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => ({ variable: String(i.path[0] ?? "config"), message: i.message })));
  }
  return result.data;
}

const cache = Symbol.for("kling-portal.config");
type Holder = { [cache]?: Config };

/** The process-wide config, parsed on first use. */
export function getConfig(): Config {
  const g = globalThis as Holder;
  return (g[cache] ??= loadConfig());
}

/** Drops the cached config so the next getConfig() re-reads the environment (tests, CLI flags). */
export function resetConfig(): void {
  delete (globalThis as Holder)[cache];
}

/**
 * Whether this code was compiled for `next dev` (React's development build).
 * Next.js replaces NODE_ENV at build time, so a production build says false
 * even when the environment says otherwise at run time.
 */
export function isDevelopmentBuild(): boolean {
  return process.env.NODE_ENV === "development";
}
