// Whether `npm start` may serve the build it finds: with PostgreSQL it never
// builds, so a missing build or one older than the sources stops it with the
// command to run.
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { buildState, requireBuild, sourceFingerprint } from "@/lib/server/ensure-build";

describe("the production build's state", () => {
  let root: string;
  const roots: string[] = [];
  afterEach(() => roots.push(root));
  afterAll(() => Promise.all(roots.map((r) => rm(r, { recursive: true, force: true }))));

  it("is missing, then fresh once built from these sources, then stale when a source changes", async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "build-state-"));
    await mkdir(path.join(root, "app"));
    await writeFile(path.join(root, "app", "page.tsx"), "export default function Page() { return null; }\n");
    expect(buildState(root)).toBe("missing");
    expect(() => requireBuild(root)).toThrow(/no production build: run `npm run build` once/);

    await mkdir(path.join(root, ".next"));
    await writeFile(path.join(root, ".next", "BUILD_ID"), "x");
    // A build made by `next build` alone (no record of its sources) is not trusted.
    expect(buildState(root)).toBe("stale");
    await writeFile(path.join(root, ".next", "source-fingerprint"), sourceFingerprint(root));
    expect(buildState(root)).toBe("fresh");
    expect(() => requireBuild(root)).not.toThrow();

    await writeFile(path.join(root, "app", "page.tsx"), "export default function Page() { return 1; }\n");
    expect(buildState(root)).toBe("stale");
    expect(() => requireBuild(root)).toThrow(/does not match the sources .*run `npm run build` again/);
  });

  it("is stale when the Prisma schema changes, since the build bundles the client generated from it", async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "build-state-"));
    await mkdir(path.join(root, ".next"));
    await writeFile(path.join(root, ".next", "BUILD_ID"), "x");
    await mkdir(path.join(root, "prisma"));
    await writeFile(path.join(root, "prisma", "schema.prisma"), 'generator client {\n  provider = "prisma-client"\n}\n');
    await writeFile(path.join(root, ".next", "source-fingerprint"), sourceFingerprint(root));
    expect(buildState(root)).toBe("fresh");
    await writeFile(path.join(root, "prisma", "schema.prisma"), 'generator client {\n  provider = "prisma-client"\n  compilerBuild = "small"\n}\n');
    expect(buildState(root)).toBe("stale");
  });
});
