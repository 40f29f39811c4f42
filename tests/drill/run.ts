// npm run drill -- --out drill.json [--only a,e,g] [--tasks 200] [--pglite-only] [--provider appypie|kling] [--final-wait 240]
// Runs the failure drills against real processes (portal as `npm start`,
// standalone emulator as upstream, PostgreSQL from TEST_DATABASE_URL) and
// checks the promise: nothing lost, nothing charged twice, paid work delivered.
import { writeFile } from "node:fs/promises";
import os from "node:os";
import { parseArgs } from "node:util";
import { installInterruptHandlers } from "./cleanup";
import { allDrills, selectDrills } from "./drills";
import { runDrill, type DrillResult } from "./harness";
import { buildOnce } from "./processes";
import { formatTable } from "./report";

const { values } = parseArgs({
  options: {
    out: { type: "string" },
    only: { type: "string" },
    tasks: { type: "string", default: "200" },
    "pglite-only": { type: "boolean", default: false },
    "final-wait": { type: "string", default: "240" },
    provider: { type: "string" },
  },
});

async function main(): Promise<number> {
  const tasks = Number(values.tasks);
  if (!Number.isInteger(tasks) || tasks < 1 || tasks > 5000) throw new Error("--tasks must be a whole number from 1 to 5000");
  const only = values.only
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const drills = selectDrills(allDrills(), only, values["pglite-only"]!);
  if (!drills.length) throw new Error(`no drill matches --only ${values.only}`);
  const postgresUrl = process.env.TEST_DATABASE_URL || undefined;
  const provider = values.provider as "appypie" | "kling" | undefined;
  if (provider && provider !== "appypie" && provider !== "kling") throw new Error("--provider must be appypie or kling");
  installInterruptHandlers();
  const log = (msg: string) => console.error(`${new Date().toISOString().slice(11, 19)} ${msg}`);

  const results: DrillResult[] = [];
  const startedAt = new Date().toISOString();
  const writeReport = async (complete: boolean) => {
    const passed = complete && results.every((r) => r.result === "passed");
    const report = {
      startedAt,
      finishedAt: complete ? new Date().toISOString() : null,
      machine: {
        hostname: os.hostname(),
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        memoryGb: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
      },
      tasksPerDrill: tasks,
      drills: results,
      passed,
    };
    if (values.out) await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
    return passed;
  };
  buildOnce(log);
  for (const spec of drills) {
    log(`drill ${spec.id}: ${spec.title} (${spec.db}, ${tasks} tasks)`);
    const r = await runDrill(spec, { tasks, postgresUrl, provider, finalWaitMs: Number(values["final-wait"]) * 1000, log });
    log(`drill ${spec.id}: ${r.result} — lost ${r.lost}, duplicated ${r.duplicated}, paid_not_delivered ${r.paid_not_delivered} (${r.seconds} s)`);
    for (const n of r.notes) log(`  ${spec.id}: ${n}`);
    results.push(r);
    // Written after every drill, so a long run interrupted half-way still leaves its figures.
    await writeReport(false);
  }
  const passed = await writeReport(true);
  console.log(formatTable(results));
  console.log(
    `\n${passed ? "PASSED" : "FAILED"}: ${results.filter((r) => r.result === "passed").length}/${results.length} drills passed${values.out ? ` (details in ${values.out})` : ""}`,
  );
  return passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
