// Names each request by its route pattern (/api/tasks/[id]), read once from the
// app/ folder, so metrics labels stay few whatever paths clients send, and the
// logged path carries no secret (/api/callbacks/kling/[secret] has one).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

type Segment = { kind: "static"; value: string } | { kind: "dynamic" | "catchAll" | "optionalCatchAll"; name: string };
type Pattern = { label: string; segments: Segment[] };
export type RouteMatch = { route: string; path: string };
export type RouteMatcher = (pathname: string) => RouteMatch;

/** Path parameters whose values are credentials: logged as [redacted]. */
const SECRET_PARAMS = new Set(["secret", "token"]);
/** Any path that no route owns shares this label. */
export const UNMATCHED_ROUTE = "(unmatched)";
const ROUTE_FILE = /^(page|route)\.(tsx?|jsx?)$/;
// Metadata files Next.js serves from app/: files under their own name, code under Next's URL for it.
const METADATA_FILE = /^(favicon\.ico|(icon|apple-icon|opengraph-image|twitter-image)\d*\.\w+|robots\.txt|sitemap\.xml|manifest\.(json|webmanifest))$/;
const METADATA_CODE = /^(icon|apple-icon|opengraph-image|twitter-image|robots|sitemap|manifest)\.(tsx?|jsx?)$/;
const METADATA_URL: Record<string, string> = { robots: "robots.txt", sitemap: "sitemap.xml", manifest: "manifest.webmanifest" };

/** The URL name of a file in an app/ folder, or null when the file is not served. */
function servedName(file: string): string | null {
  if (ROUTE_FILE.test(file)) return "";
  if (/\.(tsx?|jsx?)$/.test(file)) {
    const code = METADATA_CODE.exec(file);
    return code ? (METADATA_URL[code[1]] ?? code[1]) : null;
  }
  return METADATA_FILE.test(file) ? file : null;
}

function parseSegment(s: string): Segment {
  let m = /^\[\[\.\.\.(.+)\]\]$/.exec(s);
  if (m) return { kind: "optionalCatchAll", name: m[1] };
  if ((m = /^\[\.\.\.(.+)\]$/.exec(s))) return { kind: "catchAll", name: m[1] };
  if ((m = /^\[(.+)\]$/.exec(s))) return { kind: "dynamic", name: m[1] };
  return { kind: "static", value: s };
}

/** Route patterns of an app/ folder (pages, route handlers, metadata files): route groups and parallel slots leave the URL, _folders are private. */
export function readRoutePatterns(appDir: string): string[] {
  const found: string[] = [];
  walkServed(appDir, (label) => found.push(label));
  return [...new Set(found)];
}

/** Each served file of an app/ folder with its route pattern. */
function walkServed(appDir: string, visit: (label: string, file: string) => void): void {
  const walk = (dir: string, segments: string[]) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const name = entry.isFile() ? servedName(entry.name) : null;
      if (name !== null) visit(`/${[...segments, name].filter(Boolean).join("/")}`, path.join(dir, entry.name));
      if (!entry.isDirectory() || entry.name.startsWith("_")) continue;
      const keep = !/^\(.*\)$/.test(entry.name) && !entry.name.startsWith("@");
      walk(path.join(dir, entry.name), keep ? [...segments, entry.name] : segments);
    }
  };
  walk(appDir, []);
}

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
// `export const GET = …`, `export async function POST(…)`, `export { handler as GET }`.
const EXPORTED_METHOD = new RegExp(`export\\s+(?:const|(?:async\\s+)?function)\\s+(${METHODS.join("|")})\\b|\\bas\\s+(${METHODS.join("|")})\\b`, "g");

/** Route handlers (route.ts) of an app/ folder: pattern → the HTTP methods the file exports. */
export function readRouteMethods(appDir: string): Map<string, string[]> {
  const routes = new Map<string, string[]>();
  walkServed(appDir, (label, file) => {
    if (!/^route\.(tsx?|jsx?)$/.test(path.basename(file))) return;
    const methods = new Set([...readFileSync(file, "utf8").matchAll(EXPORTED_METHOD)].map((m) => m[1] ?? m[2]));
    routes.set(label, [...methods]);
  });
  return routes;
}

// Next.js's precedence: at each segment a static name beats [param], which beats [...all], which beats [[...all]].
const rank = (s: Segment) => ({ static: 0, dynamic: 1, catchAll: 2, optionalCatchAll: 3 })[s.kind];
function compare(a: Pattern, b: Pattern): number {
  for (let i = 0; i < Math.max(a.segments.length, b.segments.length); i++) {
    const x = a.segments[i];
    const y = b.segments[i];
    if (!x || !y) return x ? 1 : -1;
    if (rank(x) !== rank(y)) return rank(x) - rank(y);
  }
  return 0;
}

/** The path's parts matched to the pattern's, as they are to be logged, or null when it does not match. */
function match(p: Pattern, parts: string[]): string[] | null {
  const out: string[] = [];
  for (let i = 0; i < p.segments.length; i++) {
    const s = p.segments[i];
    const part = parts[i];
    if (s.kind === "static") {
      if (part !== s.value) return null;
      out.push(part);
    } else if (s.kind === "dynamic") {
      if (part === undefined) return null;
      out.push(SECRET_PARAMS.has(s.name) ? "[redacted]" : part);
    } else {
      const rest = parts.slice(i);
      if (s.kind === "catchAll" && rest.length === 0) return null;
      out.push(...(SECRET_PARAMS.has(s.name) ? ["[redacted]"] : rest));
      return out;
    }
  }
  return out.length === parts.length ? out : null;
}

/**
 * `patterns` from readRoutePatterns; `publicFiles` are served as themselves.
 * Next.js's own assets are labelled by their area (/_next/static); anything
 * else is UNMATCHED_ROUTE with its path withheld (it may be anything a client typed).
 */
export function createRouteMatcher(patterns: string[], publicFiles: string[] = []): RouteMatcher {
  const compiled = patterns.map((label) => ({ label, segments: label.split("/").filter(Boolean).map(parseSegment) })).sort(compare);
  const files = new Set(publicFiles);
  return (pathname) => {
    const parts = pathname.split("/").filter(Boolean);
    if (parts[0] === "_next") {
      const area = `/_next/${parts[1] ?? ""}`.replace(/\/$/, "");
      return { route: area, path: area };
    }
    for (const p of compiled) {
      const out = match(p, parts);
      if (out) return { route: p.label, path: `/${out.join("/")}` };
    }
    if (files.has(pathname)) return { route: pathname, path: pathname };
    return { route: UNMATCHED_ROUTE, path: UNMATCHED_ROUTE };
  };
}

/** The matcher for the app in `dir` (its app/ and public/ folders). */
export function routeMatcherFor(dir: string): RouteMatcher {
  let publicFiles: string[] = [];
  try {
    publicFiles = readdirSync(path.join(dir, "public"), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => `/${path.relative(path.join(dir, "public"), path.join(e.parentPath, e.name)).split(path.sep).join("/")}`);
  } catch {
    // no public/ folder
  }
  return createRouteMatcher(readRoutePatterns(path.join(dir, "app")), publicFiles);
}
