// Admission of a signed-in user's submit: the session check and one point of
// the user's web submit budget (rate-limit.ts), in one statement when the
// limiter counts in PostgreSQL (session-user.ts, sessionUserCounting), else the
// in-memory count just after the check; with the request's row to store, in
// groups of concurrent admissions (admit-grouped.ts). A submit makes several round
// trips and each costs the server more CPU than the database's work (README, Performance).
import { gatewayBudget, webSubmitRefusal } from "../gateway/rate-limit";
import { unauthorized } from "../http/errors";
import { type CountedBudget, countingTable, waitAfterPoint } from "../rate-limit/count-in-query";
import { type AdmittedWrite, admitWriting } from "./admit-grouped";
import { sessionUserCounting, sessionUserFor, type SessionClaims, type SessionUser } from "./session-user";

/** The user the claims stand for, having spent one point: an ApiError 401 (nothing spent), or 429 beyond the budget. */
export async function submitterFor(claims: SessionClaims | null, budget: CountedBudget = gatewayBudget("web-submit")): Promise<SessionUser> {
  return (await submitterWriting(claims, undefined, budget)).user;
}

/**
 * The same admission, making `write` in its statement (admit-grouped.ts) when the
 * limiter counts in PostgreSQL: the submit's row is then stored in the same round trip.
 * `written` is null when nothing was written (no SQL count, or the write's own condition
 * held it back); a refusal writes nothing.
 */
export async function submitterWriting<W extends { id: string } = never>(
  claims: SessionClaims | null,
  write: AdmittedWrite<W> | undefined,
  budget: CountedBudget = gatewayBudget("web-submit"),
): Promise<{ user: SessionUser; written: W | null }> {
  const table = await countingTable(budget);
  const now = Date.now();
  const limits = table && { table, keyPrefix: budget.keyPrefix, durationMs: budget.durationMs, points: budget.points };
  const found = !limits
    ? await sessionUserFor(claims).then((user) => user && { user, count: null, written: null })
    : write
      ? await admitWriting(claims, limits, now, write)
      : await sessionUserCounting(claims, limits, now).then((found) => found && { ...found, written: null });
  if (!found) throw unauthorized();
  const wait = await waitAfterPoint(budget, found.count, now, found.user.id);
  if (wait !== null) throw webSubmitRefusal(wait);
  return { user: found.user, written: found.written };
}
