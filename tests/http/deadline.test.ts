// The upstream calls' time limit: it aborts like AbortSignal.timeout, follows a caller's signal, and,
// once cleared, keeps nothing of the request it ran in (AbortSignal.timeout's timer did, until two
// full garbage collections later).
import { AsyncLocalStorage } from "node:async_hooks";
import v8 from "node:v8";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { deadline } from "@/lib/http/deadline";

const tick = () => new Promise<void>((ok) => setImmediate(ok));
const aborted = (signal: AbortSignal) => new Promise<void>((ok) => signal.addEventListener("abort", () => ok(), { once: true }));

function fullGc(): () => void {
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}

describe("deadline", () => {
  it("aborts with a TimeoutError when the time runs out", async () => {
    const time = deadline(20);
    await aborted(time.signal);
    expect((time.signal.reason as Error).name).toBe("TimeoutError");
    expect(time.timedOut()).toBe(true);
  });

  it("aborts with the caller's reason when the caller's signal aborts, and that is not a timeout", async () => {
    const caller = new AbortController();
    const time = deadline(60_000, caller.signal);
    caller.abort(new Error("client left"));
    expect(time.signal.aborted).toBe(true);
    expect((time.signal.reason as Error).message).toBe("client left");
    expect(time.timedOut()).toBe(false);
    time.clear();

    const gone = AbortSignal.abort(new Error("already gone"));
    const late = deadline(60_000, gone);
    expect((late.signal.reason as Error).message).toBe("already gone");
    late.clear();
  });

  it("once cleared, neither the timer nor the caller's signal aborts it", async () => {
    const caller = new AbortController();
    const time = deadline(20, caller.signal);
    time.clear();
    time.clear();
    await new Promise((ok) => setTimeout(ok, 60));
    caller.abort();
    expect(time.signal.aborted).toBe(false);
    expect(time.timedOut()).toBe(false);
  });

  // As a route handler does: the deadline is made inside the request's context, and the request's
  // code keeps no reference to it afterwards.
  function inRequest(work: () => void): WeakRef<object> {
    const storage = new AsyncLocalStorage<{ request: number[] }>();
    let ref!: WeakRef<object>;
    storage.run({ request: new Array(10_000).fill(1) }, () => {
      ref = new WeakRef(storage.getStore() as object);
      work();
    });
    return ref;
  }

  it("holds the request's async context while its timer runs (so the next test can see a leak) and lets it go once it fires", async () => {
    const gc = fullGc();
    const ref = inRequest(() => void deadline(150));
    await tick();
    gc();
    expect(ref.deref()).toBeDefined();
    await new Promise((ok) => setTimeout(ok, 300));
    gc();
    expect(ref.deref()).toBeUndefined();
  });

  it("cleared, lets the request's async context go at the next collection, long before its time would run out", async () => {
    const gc = fullGc();
    const ref = inRequest(() => deadline(60_000).clear());
    await tick();
    gc();
    expect(ref.deref()).toBeUndefined();
  });
});
