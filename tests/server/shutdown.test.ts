// A stuck shutdown step is cut short after its time, named in a warning, and
// the steps after it (closing the database) still run.
import { describe, expect, it } from "vitest";
import { runShutdown } from "@/lib/server/shutdown";

describe("shutdown steps", () => {
  it("cuts a step that never finishes, names it, and still runs the next", async () => {
    const warnings: string[] = [];
    const ran: string[] = [];
    const cut = await runShutdown(
      [
        { name: "a stuck upstream call", run: () => new Promise(() => {}), timeoutMs: 50 },
        { name: "closing the database", run: async () => void ran.push("db"), timeoutMs: 1000 },
      ],
      (m) => warnings.push(m),
    );
    expect(cut).toEqual(["a stuck upstream call"]);
    expect(ran).toEqual(["db"]);
    expect(warnings).toEqual(["shutdown: a stuck upstream call did not finish within 0.05 s; going on without it"]);
  });

  it("waits for steps that finish in time, and a failing step does not stop the rest", async () => {
    const ran: string[] = [];
    const cut = await runShutdown(
      [
        { name: "slow but in time", run: () => new Promise((ok) => setTimeout(() => ok(ran.push("slow")), 30)), timeoutMs: 2000 },
        { name: "failing", run: () => Promise.reject(new Error("boom")), timeoutMs: 2000 },
        { name: "last", run: async () => void ran.push("last"), timeoutMs: 2000 },
      ],
      () => {},
    );
    expect(cut).toEqual([]);
    expect(ran).toEqual(["slow", "last"]);
  });
});
