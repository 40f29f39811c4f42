// AUTH_SECRET when given; otherwise one generated on first start and kept in
// DATA_DIR so sessions survive restarts.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { getConfig } from "../config";

let cached: string | undefined;

export function getAuthSecret(): string {
  if (cached) return cached;
  const config = getConfig();
  if (config.AUTH_SECRET) return (cached = config.AUTH_SECRET);
  const file = path.join(config.DATA_DIR, "auth-secret");
  try {
    cached = readFileSync(file, "utf8").trim();
    if (cached.length >= 32) return cached;
  } catch {
    // Not created yet.
  }
  mkdirSync(config.DATA_DIR, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  try {
    // "wx": if another process won the race, read its secret instead.
    writeFileSync(file, secret + "\n", { mode: 0o600, flag: "wx" });
    cached = secret;
  } catch {
    cached = readFileSync(file, "utf8").trim();
  }
  return cached;
}
