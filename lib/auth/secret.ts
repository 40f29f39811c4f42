// AUTH_SECRET when given (required with PostgreSQL); otherwise one generated on
// first start and kept in DATA_DIR so sessions survive restarts. Either way at least 32 characters:
// it signs sessions and image links, so a short one makes them forgeable.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ConfigError, getConfig } from "../config";

const MIN_LENGTH = 32;
let cached: string | undefined;

export function getAuthSecret(): string {
  if (cached) return cached;
  const config = getConfig();
  if (config.AUTH_SECRET) return (cached = config.AUTH_SECRET);
  // A generated secret is per machine: instances sharing a database would reject each
  // other's sessions and image links. Asked for only by what signs (the portal, the
  // worker), so db:migrate, admin and the emulator run without it.
  if (/^postgres(ql)?:\/\//.test(config.DATABASE_URL ?? "")) {
    throw new ConfigError([
      {
        variable: "AUTH_SECRET",
        message:
          "is required with a PostgreSQL DATABASE_URL: every portal and worker instance must sign sessions and image links with the same secret (at least 32 characters, e.g. `openssl rand -base64 32`)",
      },
    ]);
  }
  const file = path.join(config.DATA_DIR, "auth-secret");
  const existing = readSecretFile(file);
  if (existing !== null) return (cached = existing);
  mkdirSync(config.DATA_DIR, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  try {
    // "wx": if another process won the race, read its secret instead.
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
    return (cached = secret);
  } catch {
    return (cached = readSecretFile(file) ?? secret);
  }
}

/** The file's secret, null when there is no file; throws when it is too short (never overwritten: it may be someone's mistake to fix). */
function readSecretFile(file: string): string | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  const secret = text.trim();
  if (secret.length < MIN_LENGTH) {
    throw new Error(
      `The auth secret in ${file} is ${secret.length} characters long; it must be at least ${MIN_LENGTH}. ` +
        `Delete the file to have a new one generated (everyone is signed out), put a longer secret in it, or set AUTH_SECRET.`,
    );
  }
  return secret;
}
