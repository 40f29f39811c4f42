// Budgets count per calendar month in UTC: the same month for every user and instance.

/** The first instant of the calendar month (UTC) that `now` is in. */
export function periodStartOf(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/** The first instant of the next month: when the budget renews. */
export function periodEndOf(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
}

/** "1 December" (UTC), for messages about when a budget renews. */
export function renewalDay(now: Date): string {
  return periodEndOf(now).toLocaleDateString("en-GB", { day: "numeric", month: "long", timeZone: "UTC" });
}
