// Where Chromium is on this machine: CHROMIUM_PATH, else Debian's (or Ubuntu's) binary.
import { existsSync } from "node:fs";

export function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(Boolean) as string[];
  return candidates.find((p) => existsSync(p)) ?? null;
}
