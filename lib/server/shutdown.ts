// Stopping on SIGTERM/SIGINT: each step gets a bounded time, so a stuck step (an
// upstream call in a reconciler pass, a slow client) cannot keep the process
// alive past an orchestrator's grace period. Cutting work short is safe: leases
// expire and another worker resumes it; a submit whose answer was lost is
// confirmed, never resent (see lib/tasks/submit-outcome.ts).
export type ShutdownStep = { name: string; run: () => Promise<unknown>; timeoutMs: number };

/** Runs the steps in order, each for at most its time; resolves with the names of the steps cut short. */
export async function runShutdown(steps: ShutdownStep[], warn: (message: string) => void = console.error): Promise<string[]> {
  const cut: string[] = [];
  for (const step of steps) {
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      step.run().then(
        () => "done" as const,
        () => "done" as const,
      ),
      new Promise<"late">((ok) => {
        timer = setTimeout(() => ok("late"), step.timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome === "late") {
      cut.push(step.name);
      warn(`shutdown: ${step.name} did not finish within ${step.timeoutMs / 1000} s; going on without it`);
    }
  }
  return cut;
}
