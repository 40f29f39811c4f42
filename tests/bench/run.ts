// npm run bench: throughput and latency of the portal's hot paths against a
// production build on embedded PGlite, each quoted as a ratio of the
// /api/ping baseline measured in the same run (the machines are shared and
// noisy, so absolute numbers only mean something next to their baseline).
import { readFileSync } from "node:fs";
import autocannon, { type Result } from "autocannon";
import { startPortal } from "../e2e/helpers/portal";
import { signUp } from "../e2e/helpers/session";

const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

const rssMb = (pid: number) => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS"));
  return line ? Math.round(Number(line.replace(/\D+/g, "")) / 1024) : NaN;
};

async function main() {
  const portal = await startPortal({ LOG_LEVEL: "error", RATE_LIMIT_SUBMIT_PER_MINUTE: "100000", RATE_LIMIT_STATUS_PER_MINUTE: "100000", EMULATOR_DURATION_MS: "0" });
  try {
    const session = await signUp(portal.url, "bench@example.com");
    const key = (await (await session.fetch("/api/keys", { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"name":"bench"}' })).json()).key as string;

    // End to end: submit → archived, four 16:9 images, emulator answering at once.
    const e2e: number[] = [];
    let taskId = "";
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const res = await session.fetch("/api/tasks", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ prompt: `bench ${i}`, n: 4 }) });
      taskId = (await res.json()).id;
      for (;;) {
        const t = await (await session.fetch(`/api/tasks/${taskId}`)).json();
        if (t.status === "succeed" || t.status === "failed") break;
        await new Promise((ok) => setTimeout(ok, 20));
      }
      e2e.push(performance.now() - started);
    }
    const rssIdle = rssMb(portal.pid);

    const runs: [string, Parameters<typeof autocannon>[0]][] = [
      ["GET /api/ping (baseline)", { url: `${portal.url}/api/ping` }],
      ["GET /api/health (database ping)", { url: `${portal.url}/api/health` }],
      ["POST getImageStatus (key + task lookup)", { url: `${portal.url}/kling-ai-polling/v1/getImageStatus`, method: "POST", headers: { "Content-Type": "application/json", "Ocp-Apim-Subscription-Key": key }, body: JSON.stringify({ task_id: taskId }) }],
      ["GET /api/tasks (session + 24-task page)", { url: `${portal.url}/api/tasks`, headers: { Cookie: session.cookie } }],
      ["GET /api/images/…?size=thumb (session + file)", { url: `${portal.url}/api/images/${taskId}/0?size=thumb`, headers: { Cookie: session.cookie } }],
    ];
    const results: [string, Result][] = [];
    for (const [name, opts] of runs) {
      const r = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts });
      if (r.non2xx || r.errors) throw new Error(`${name}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
      results.push([name, r]);
    }
    const rssPeak = rssMb(portal.pid);
    const base = results[0][1].requests.average;
    console.log(`\nKling Portal benchmark — ${CONNECTIONS} connections × ${DURATION} s each, production build, embedded PGlite, ${new Date().toISOString()}\n`);
    console.log("| Endpoint | req/s | vs baseline | p50 ms | p99 ms |");
    console.log("|---|---:|---:|---:|---:|");
    for (const [name, r] of results) {
      console.log(`| ${name} | ${Math.round(r.requests.average)} | ${(r.requests.average / base).toFixed(2)}× | ${r.latency.p50} | ${r.latency.p99} |`);
    }
    const sorted = [...e2e].sort((a, b) => a - b);
    console.log(`\nSubmit → archived (n=4, 1024×576, emulator instant): median ${Math.round(sorted[2])} ms, worst ${Math.round(sorted[4])} ms over 5 runs`);
    console.log(`Portal RSS: ${rssIdle} MB after the generations, ${rssPeak} MB after the load runs`);
  } finally {
    await portal.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
