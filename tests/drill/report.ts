// The drill results as a Markdown table (readable in a terminal, pasteable into the README).
import type { DrillResult } from "./harness";

export function formatTable(results: DrillResult[]): string {
  const head = "| Drill | Database | Provider | Tasks | Terminal | Lost | Duplicated | Paid, not delivered | Failed | Seconds | Result |";
  const rule = "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|";
  const rows = results.map(
    (r) =>
      `| ${r.id}: ${r.title} | ${r.database} | ${r.provider} | ${r.tasks} | ${r.terminal} | ${r.lost} | ${r.duplicated} | ${r.paid_not_delivered} | ${r.failed} | ${r.seconds} | ${r.result} |`,
  );
  const notes = results.filter((r) => r.notes.length).map((r) => `- ${r.id}: ${r.notes.join("; ")}`);
  return [head, rule, ...rows, ...(notes.length ? ["", "Notes:", ...notes] : [])].join("\n");
}
