// Where Debian's Chromium is (or CHROMIUM_PATH): shared by the browser tests and the bench.
import { existsSync } from "node:fs";

export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(Boolean) as string[];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error("Chromium is not installed: run `apt-get install -y chromium` or set CHROMIUM_PATH");
  return found;
}
