// Requests are named by their route pattern from the real app/ folder, with
// Next.js's precedence, and secrets in paths never reach the logged path.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { describe, expect, it } from "vitest";
import { createRouteMatcher, readRoutePatterns, routeMatcherFor, UNMATCHED_ROUTE } from "@/lib/ops/route-patterns";

const routeOf = routeMatcherFor(process.cwd());

describe("route patterns", () => {
  it("reads every page and route of app/, without route groups", () => {
    const patterns = readRoutePatterns(`${process.cwd()}/app`);
    expect(patterns).toEqual(
      expect.arrayContaining([
        "/",
        "/signin",
        "/tasks/[id]",
        "/api/tasks",
        "/api/tasks/[id]",
        "/api/callbacks/kling/[secret]",
        "/kling-ai-image/[...rest]",
        "/api/metrics",
      ]),
    );
    expect(patterns.some((p) => p.includes("("))).toBe(false);
  });

  it.each([
    ["/", "/", "/"],
    ["/api/tasks", "/api/tasks", "/api/tasks"],
    ["/api/tasks/ck123", "/api/tasks/[id]", "/api/tasks/ck123"],
    ["/api/tasks/ck123/rerun", "/api/tasks/[id]/rerun", "/api/tasks/ck123/rerun"],
    ["/tasks/ck123", "/tasks/[id]", "/tasks/ck123"],
    ["/kling-ai-image/v1/getImageTask", "/kling-ai-image/v1/getImageTask", "/kling-ai-image/v1/getImageTask"],
    ["/kling-ai-image/v2/other", "/kling-ai-image/[...rest]", "/kling-ai-image/v2/other"],
    ["/api/auth/callback/github", "/api/auth/[...nextauth]", "/api/auth/callback/github"],
    ["/_next/static/chunks/main.js", "/_next/static", "/_next/static"],
    ["/favicon.svg", "/favicon.svg", "/favicon.svg"],
    ["/favicon.ico", "/favicon.ico", "/favicon.ico"],
  ])("%s is %s", (pathname, route, path) => {
    expect(routeOf(pathname)).toEqual({ route, path });
  });

  it("redacts the upstream callback secret and withholds paths no route owns", () => {
    expect(routeOf("/api/callbacks/kling/s3cr3t-value")).toEqual({ route: "/api/callbacks/kling/[secret]", path: "/api/callbacks/kling/[redacted]" });
    // One segment too many: no route, and the secret-looking segment is not logged.
    expect(routeOf("/api/callbacks/kling/s3cr3t-value/x")).toEqual({ route: UNMATCHED_ROUTE, path: UNMATCHED_ROUTE });
    expect(routeOf("/wp-admin/../etc/passwd")).toEqual({ route: UNMATCHED_ROUTE, path: UNMATCHED_ROUTE });
  });

  it("names the metadata files Next.js serves from app/, and nothing else there", async () => {
    const dir = await mkdtemp(`${os.tmpdir()}/app-`);
    try {
      for (const f of [
        "page.tsx",
        "favicon.ico",
        "robots.ts",
        "sitemap.xml",
        "globals.css",
        "layout.tsx",
        "(group)/about/page.tsx",
        "(group)/about/opengraph-image.png",
        "blog/icon.tsx",
        "blog/helper.ts",
        "_private/page.tsx",
        "@modal/page.tsx",
      ]) {
        await mkdir(`${dir}/${f.split("/").slice(0, -1).join("/")}`, { recursive: true });
        await writeFile(`${dir}/${f}`, "");
      }
      expect(readRoutePatterns(dir).sort()).toEqual(["/", "/about", "/about/opengraph-image.png", "/blog/icon", "/favicon.ico", "/robots.txt", "/sitemap.xml"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("prefers static over [param] over [...all] over [[...all]] at each segment", () => {
    const m = createRouteMatcher(["/[[...all]]", "/a/[...rest]", "/a/[id]", "/a/b"]);
    expect(m("/a/b").route).toBe("/a/b");
    expect(m("/a/c").route).toBe("/a/[id]");
    expect(m("/a/c/d").route).toBe("/a/[...rest]");
    expect(m("/x/y").route).toBe("/[[...all]]");
    expect(m("/").route).toBe("/[[...all]]");
  });
});
