// Group commit for a hot write that many requests make at once (a submit's
// acceptance): calls that arrive while earlier ones are in the database wait
// and go together, in one statement, when a slot frees. Alone, a call goes at
// once (on the next turn of the event loop); under load, one round trip
// carries many. Each round trip costs the server far more CPU than the
// database's work on one more row (README, Performance).

export type GroupedWrite<I, O> = (item: I) => Promise<O>;

type Waiting<I, O> = { item: I; resolve: (out: O) => void; reject: (err: unknown) => void };

/**
 * `run` writes a group and answers one result per item, in order; when it fails, each
 * call of the group is written again alone, and fails only if that fails too. At most
 * `inFlight` groups are in the database at once (default one), each of at most `max`
 * items: with one, a group waiting on a row lock holds up the calls behind it, so a
 * write whose rows are locked only briefly suits it best.
 */
export function groupedWrite<I, O>(run: (items: I[]) => Promise<O[]>, opts: { max?: number; inFlight?: number } = {}): GroupedWrite<I, O> {
  const max = opts.max ?? 64;
  const slots = opts.inFlight ?? 1;
  const waiting: Waiting<I, O>[] = [];
  let running = 0;
  let scheduled = false;

  const schedule = () => {
    if (scheduled || running >= slots || waiting.length === 0) return;
    scheduled = true;
    // After this turn's I/O callbacks: the calls they make join the group.
    setImmediate(flush);
  };

  async function flush() {
    scheduled = false;
    const group = waiting.splice(0, max);
    running++;
    schedule();
    try {
      await settle(group);
    } finally {
      running--;
      schedule();
    }
  }

  // A group that fails is written again one call at a time, so that each call fails only for its own reason:
  // its own row, not another's (a deadlock's victim, say, waited on several rows at once).
  async function settle(group: Waiting<I, O>[]) {
    try {
      const out = await run(group.map((w) => w.item));
      if (out.length !== group.length) throw new Error(`a grouped write answered ${out.length} results for ${group.length} items`);
      for (const [i, w] of group.entries()) w.resolve(out[i]);
    } catch (err) {
      if (group.length === 1) return group[0].reject(err);
      await Promise.all(group.map((w) => settle([w])));
    }
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      schedule();
    });
}
