// Counts and times every call a provider makes upstream, by outcome (ok, or the
// KlingError kind), for /api/metrics. The reconciler and inline submits share it.
import { getMetrics } from "../ops/metrics";
import type { KlingProvider } from "./provider";

function outcomeOf(err: unknown): string {
  // By shape, not instanceof: the error may come from the other copy of lib/.
  const kind = (err as { kind?: unknown } | null)?.kind;
  return typeof kind === "string" ? kind : "error";
}

export function countUpstreamCalls(provider: KlingProvider): KlingProvider {
  const m = getMetrics();
  const counted =
    <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const labels = { provider: provider.name, operation };
      const stop = m.upstreamDuration.startTimer(labels);
      try {
        const result = await call(...args);
        m.upstreamCalls.inc({ ...labels, outcome: "ok" });
        return result;
      } catch (err) {
        m.upstreamCalls.inc({ ...labels, outcome: outcomeOf(err) });
        throw err;
      } finally {
        stop();
      }
    };
  return {
    name: provider.name,
    submit: counted("submit", provider.submit.bind(provider)),
    getStatus: counted("status", provider.getStatus.bind(provider)),
    lookup: provider.lookup ? counted("lookup", provider.lookup.bind(provider)) : undefined,
    parseCallback: provider.parseCallback.bind(provider),
  };
}
