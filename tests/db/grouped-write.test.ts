// Group commit for a hot write (grouped-write.ts): calls made in one turn of the
// event loop, or while a group is in the database, go together; a call alone
// goes at once; a failed group fails each of its calls; the limits hold.
import { describe, expect, it } from "vitest";
import { groupedWrite } from "@/lib/db/grouped-write";

/** A write that records each group it is given, answering each item doubled once `release` is called. */
function recordingWrite() {
  const groups: number[][] = [];
  const pending: (() => void)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const run = async (items: number[]) => {
    groups.push(items);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise<void>((ok) => pending.push(ok));
    inFlight--;
    if (items.includes(-1)) throw new Error("the database refused the group");
    return items.map((i) => i * 2);
  };
  const releaseAll = async () => {
    while (pending.length) pending.shift()!();
    await new Promise((ok) => setImmediate(ok));
  };
  return { run, groups, releaseAll, maxInFlight: () => maxInFlight };
}

/** Resolves once every pending group has been released and answered. */
async function drain(w: ReturnType<typeof recordingWrite>, done: Promise<unknown>) {
  let settled = false;
  void done.finally(() => {
    settled = true;
  });
  for (let i = 0; i < 100 && !settled; i++) await w.releaseAll();
  return done;
}

describe("groupedWrite", () => {
  it("sends the calls of one turn as one group, and answers each call with its own result", async () => {
    const w = recordingWrite();
    const write = groupedWrite(w.run);
    const all = Promise.all([1, 2, 3].map((i) => write(i)));
    expect(await drain(w, all)).toEqual([2, 4, 6]);
    expect(w.groups).toEqual([[1, 2, 3]]);
  });

  it("sends a call alone at once, without waiting for company", async () => {
    const w = recordingWrite();
    const write = groupedWrite(w.run);
    const one = write(7);
    await new Promise((ok) => setImmediate(ok));
    expect(w.groups).toEqual([[7]]);
    expect(await drain(w, one)).toBe(14);
  });

  it("gathers the calls made while a group is in the database into the next group", async () => {
    const w = recordingWrite();
    const write = groupedWrite(w.run);
    const first = write(1);
    await new Promise((ok) => setImmediate(ok));
    const later = [write(2), write(3), write(4)];
    await new Promise((ok) => setImmediate(ok));
    // One group in flight: the later calls wait for it.
    expect(w.groups).toEqual([[1]]);
    expect(await drain(w, Promise.all([first, ...later]))).toEqual([2, 4, 6, 8]);
    expect(w.groups).toEqual([[1], [2, 3, 4]]);
    expect(w.maxInFlight()).toBe(1);
  });

  it("keeps to the group size and to the number of groups in flight", async () => {
    const w = recordingWrite();
    const write = groupedWrite(w.run, { max: 2, inFlight: 2 });
    const all = Promise.all([1, 2, 3, 4, 5].map((i) => write(i)));
    for (let i = 0; i < 5; i++) await new Promise((ok) => setImmediate(ok));
    // Two groups of two in the database; the fifth call waits for a slot.
    expect(w.groups).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(await drain(w, all)).toEqual([2, 4, 6, 8, 10]);
    expect(w.groups).toEqual([[1, 2], [3, 4], [5]]);
    expect(w.maxInFlight()).toBe(2);
  });

  it("writes a failed group again one call at a time: only a call that fails alone fails, with its own error", async () => {
    const w = recordingWrite();
    const write = groupedWrite(w.run);
    const first = write(1);
    await new Promise((ok) => setImmediate(ok));
    const next = [write(2), write(-1), write(3)].map((p) => p.then(String, (err: Error) => err.message));
    const outcomes = await drain(w, Promise.all([first, ...next]));
    expect(outcomes).toEqual([2, "4", "the database refused the group", "6"]);
    expect(w.groups).toEqual([[1], [2, -1, 3], [2], [-1], [3]]);
    // The grouping goes on after a failure.
    const later = Promise.all([write(5), write(6)]);
    expect(await drain(w, later)).toEqual([10, 12]);
    expect(w.groups.at(-1)).toEqual([5, 6]);
  });

  it("fails the calls when the write answers a different number of results than items", async () => {
    const write = groupedWrite(async (items: number[]) => items.slice(1));
    await expect(Promise.all([write(1), write(2)])).rejects.toThrow(/answered 0 results for 1 items/);
  });
});
