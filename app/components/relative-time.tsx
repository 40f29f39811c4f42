"use client";

import { useNow } from "./use-now";

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 31_536_000],
  ["month", 2_592_000],
  ["week", 604_800],
  ["day", 86_400],
  ["hour", 3600],
  ["minute", 60],
];

export function formatRelative(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const fmt = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  for (const [unit, s] of UNITS) if (Math.abs(seconds) >= s) return fmt.format(Math.round(seconds / s), unit);
  return "just now";
}

/** "5 minutes ago", with the exact time on hover; refreshed every minute. */
export function RelativeTime({ iso }: { iso: string }) {
  const now = useNow(60_000);
  const exact = new Date(iso).toLocaleString("en", { dateStyle: "medium", timeStyle: "short" });
  return (
    <time dateTime={iso} title={exact} suppressHydrationWarning>
      {now === null ? exact : formatRelative(iso, now)}
    </time>
  );
}
