// npm 11.16+ runs a dependency's install scripts only where package.json's allowScripts
// approves them (npm 12 blocks the rest; 11 warns on every install). Every dependency
// that has one must be decided there, so a new one cannot slip in unreviewed.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall"];

/** Names of installed packages with an install script (or a binding.gyp, which npm builds by default). */
function packagesWithInstallScripts(dir: string, found = new Set<string>()): Set<string> {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith(".")) continue;
    const full = path.join(dir, entry);
    if (entry.startsWith("@")) {
      packagesWithInstallScripts(full, found);
      continue;
    }
    const manifest = path.join(full, "package.json");
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; scripts?: Record<string, string> };
      if (pkg.name && (INSTALL_SCRIPTS.some((s) => pkg.scripts?.[s]) || existsSync(path.join(full, "binding.gyp")))) found.add(pkg.name);
    }
    packagesWithInstallScripts(path.join(full, "node_modules"), found);
  }
  return found;
}

it("decides in allowScripts every installed dependency that has an install script, and nothing else", () => {
  const { allowScripts = {} } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { allowScripts?: Record<string, boolean> };
  const decided = Object.keys(allowScripts).map((k) => k.replace(/(?<=.)@[^@]*$/, ""));
  expect([...packagesWithInstallScripts(path.join(root, "node_modules"))].sort()).toEqual([...decided].sort());
});

it("never lets @prisma/engines download a native engine at install: migrations run on the WebAssembly engine", () => {
  const { allowScripts } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { allowScripts: Record<string, boolean> };
  expect(allowScripts["@prisma/engines"]).toBe(false);
});
