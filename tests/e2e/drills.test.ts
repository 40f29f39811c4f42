// A short version of `npm run drill` (issue 9): drills a (kill -9 mid-burst),
// e (30% of callbacks dropped) and g (two portals and a worker on one
// PostgreSQL, only when TEST_DATABASE_URL is set) with about 20 tasks each,
// through exactly the same code as the full drill.
import { describe, expect, it } from "vitest";
import { allDrills, selectDrills } from "../drill/drills";
import { runDrill, type DrillResult } from "../drill/harness";

const TASKS = 20;
const postgresUrl = process.env.TEST_DATABASE_URL || undefined;
const drills = selectDrills(allDrills(), ["a", "e", "g"], !postgresUrl);

function expectKeptPromise(r: DrillResult) {
  const why = `${r.id}: ${r.notes.join("; ")}`;
  expect(r.result, why).toBe("passed");
  expect(r.tasks, why).toBe(TASKS);
  expect(r.terminal, why).toBe(TASKS);
  expect({ lost: r.lost, duplicated: r.duplicated, paid_not_delivered: r.paid_not_delivered }, why).toEqual({ lost: 0, duplicated: 0, paid_not_delivered: 0 });
}

describe("drills, short", () => {
  for (const spec of drills) {
    it(`${spec.id}: ${spec.title}`, { timeout: 360_000 }, async () => {
      const r = await runDrill(spec, { tasks: TASKS, postgresUrl, finalWaitMs: 180_000, log: () => {} });
      expectKeptPromise(r);
    });
  }
});
