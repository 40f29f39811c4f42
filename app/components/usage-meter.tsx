"use client";

// The header's image budget meter: "312 of 500 images this month" with a thin
// bar, or "312 images this month" when unlimited. Rendered with the page's
// figures, then revalidated whenever a task changes (live-tasks.tsx) or a
// generation starts (refreshUsage).
import useSWR, { mutate } from "swr";
import type { UsageDto } from "@/lib/usage/schema";

export const USAGE_KEY = "/api/usage";

async function fetchUsage(url: string): Promise<UsageDto> {
  const res = await fetch(url, { cache: "no-store" });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.json();
}

/** Asks the meter to fetch the figures again (after a submit, a task change). */
export function refreshUsage(): void {
  void mutate(USAGE_KEY);
}

export function usageText(u: Pick<UsageDto, "used" | "limit">): string {
  const images = (k: number) => `${k} image${k === 1 ? "" : "s"}`;
  return u.limit === null ? `${images(u.used)} this month` : `${u.used} of ${images(u.limit)} this month`;
}

export function UsageMeter({ initial }: { initial: UsageDto }) {
  const { data } = useSWR<UsageDto>(USAGE_KEY, fetchUsage, { fallbackData: initial, revalidateOnMount: false, revalidateOnFocus: true });
  const usage = data ?? initial;
  return (
    <div className="flex min-w-0 flex-col gap-1 text-xs text-zinc-600 dark:text-zinc-400" data-testid="usage-meter">
      <span className="whitespace-nowrap tabular-nums">{usageText(usage)}</span>
      {usage.limit !== null && (
        // The browser's own meter: its colour turns at `high` (90 %) and when full.
        <meter
          aria-label="Images used this month"
          min={0}
          max={Math.max(1, usage.limit)}
          high={Math.max(1, usage.limit) * 0.9}
          optimum={0}
          value={Math.min(usage.used, Math.max(1, usage.limit))}
          title={usageText(usage)}
          className="h-1.5 w-full"
        />
      )}
    </div>
  );
}
