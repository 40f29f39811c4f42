// npx tsx tests/bench/profile-summary.ts <file.cpuprofile> [top] [regex] [--phase "<load name>" --bench <bench.json>]
// Where a V8 CPU profile (node --cpu-prof, as `npm run bench -- --cpu-prof DIR`
// writes) spent its time: self time by package or area, then the top functions.
// With --phase, only the samples taken during that load of the bench run (its
// load_windows_us; the name as logged with its connections, "POST getImageStatus @64").
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number };

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith("(") ? fn : "(native)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.includes("/.next/server/chunks/") || url.includes("/.next/server/app/")) return "app bundle (.next/server)";
  if (url.startsWith("node:")) return "node core";
  return url.replace(/^file:\/\/.*?\/(lib|app|tests)\//, "$1/");
}

const { values: opts, positionals } = parseArgs({ options: { phase: { type: "string" }, bench: { type: "string" } }, allowPositionals: true });
const [file, topArg, filterArg] = positionals;
if (!file) throw new Error("usage: profile-summary.ts <file.cpuprofile> [top] [regex] [--phase <load> --bench <bench.json>]");
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
let window: { startUs: number; endUs: number } | null = null;
if (opts.phase) {
  if (!opts.bench) throw new Error("--phase needs --bench <the bench run's JSON>");
  const windows =
    (JSON.parse(readFileSync(opts.bench, "utf8")) as { load_windows_us?: { name: string; startUs: number; endUs: number }[] }).load_windows_us ?? [];
  window = windows.find((w) => w.name === opts.phase) ?? null;
  if (!window) throw new Error(`no load named ${opts.phase} in ${opts.bench}: ${windows.map((w) => w.name).join(", ")}`);
}
// Sample i was taken at startTime + the sum of timeDeltas[0..i].
const inWindow: boolean[] = [];
let at = profile.startTime;
for (const d of profile.timeDeltas) {
  at += d;
  inWindow.push(!window || (at >= window.startUs && at <= window.endUs));
}
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
for (const [i, id] of profile.samples.entries()) if (inWindow[i]) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
let busy = 0;
const areas = new Map<string, number>();
const fns = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  if (n.callFrame.functionName === "(idle)") continue;
  busy += us;
  const a = area(n.callFrame.url, n.callFrame.functionName);
  areas.set(a, (areas.get(a) ?? 0) + us);
  const f = `${n.callFrame.functionName || "(anonymous)"} ${a}:${n.callFrame.lineNumber + 1}`;
  fns.set(f, (fns.get(f) ?? 0) + us);
}
const pct = (us: number) => `${((us / busy) * 100).toFixed(1)}%`;
const top = Number(topArg ?? 15);
console.log(`busy CPU ${(busy / 1e6).toFixed(1)} s (idle excluded)\n\nby area:`);
for (const [a, us] of [...areas].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`  ${pct(us).padStart(6)}  ${a}`);
console.log("\ntop functions (self time):");
for (const [f, us] of [...fns].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`  ${pct(us).padStart(6)}  ${f}`);

// Inclusive time: a function's own samples plus everything it called (counted once per stack).
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n: Node) => `${n.callFrame.functionName || "(anonymous)"} ${area(n.callFrame.url, n.callFrame.functionName)}:${n.callFrame.lineNumber + 1}`;
const inclusive = new Map<string, number>();
for (const [id, us] of self) {
  if (byId.get(id)!.callFrame.functionName === "(idle)") continue;
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + us);
  }
}
const filter = filterArg ? new RegExp(filterArg) : null;
console.log(`\ntop functions (inclusive)${filter ? ` matching ${filter}` : ""}:`);
for (const [f, us] of [...inclusive]
  .filter(([f]) => !filter || filter.test(f))
  .sort((x, y) => y[1] - x[1])
  .slice(0, top * 2))
  console.log(`  ${pct(us).padStart(6)}  ${f}`);
