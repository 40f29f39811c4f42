// Undo on Ctrl-C: a drill interrupted mid-way still stops its processes,
// drops its PostgreSQL schema and removes its folder.
const pending = new Set<() => Promise<void>>();

/** Registers an undo step; the returned function unregisters it (the drill finished normally). */
export function onInterrupt(fn: () => Promise<void>): () => void {
  pending.add(fn);
  return () => void pending.delete(fn);
}

export function installInterruptHandlers(): void {
  let done = false;
  const handler = (signal: NodeJS.Signals) => {
    if (done) return;
    done = true;
    console.error(`${signal}: cleaning up the drill…`);
    const all = Promise.allSettled([...pending].map((fn) => fn()));
    // Bounded: a stuck undo must not keep the command alive.
    const timer = setTimeout(() => process.exit(130), 30_000);
    void all.then(() => {
      clearTimeout(timer);
      process.exit(130);
    });
  };
  process.once("SIGINT", handler);
  process.once("SIGTERM", handler);
}
