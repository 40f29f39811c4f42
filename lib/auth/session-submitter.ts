// Admission of a signed-in user's submit: the session check and one point of
// the user's web submit budget (rate-limit.ts), in one statement when the
// limiter counts in PostgreSQL (session-user.ts, sessionUserCounting), else the
// in-memory count just after the check. A submit makes several round trips
// and each costs the server more CPU than the database's work (README, Performance).
import { gatewayBudget, webSubmitRefusal } from "../gateway/rate-limit";
import { unauthorized } from "../http/errors";
import { type CountedBudget, countingTable, waitAfterPoint } from "../rate-limit/count-in-query";
import { type AdmittedWrite, sessionUserCounting, sessionUserFor, type SessionClaims, type SessionUser } from "./session-user";

/** The user the claims stand for, having spent one point: an ApiError 401 (nothing spent), or 429 beyond the budget. */
export async function submitterFor(claims: SessionClaims | null, budget: CountedBudget = gatewayBudget("web-submit")): Promise<SessionUser> {
  return (await submitterWriting(claims, undefined, budget)).user;
}

/**
 * The same admission, making `write` in its statement (sessionUserCounting) when the
 * limiter counts in PostgreSQL: the submit's row is then stored in the same round trip.
 * `written` is null when nothing was written (no SQL count, or the write's own condition
 * held it back); a refusal writes nothing.
 */
export async function submitterWriting<W = never>(
  claims: SessionClaims | null,
  write: AdmittedWrite<W> | undefined,
  budget: CountedBudget = gatewayBudget("web-submit"),
): Promise<{ user: SessionUser; written: W | null }> {
  const table = await countingTable(budget);
  const now = Date.now();
  const found = table
    ? await sessionUserCounting(claims, { table, keyPrefix: budget.keyPrefix, durationMs: budget.durationMs, points: budget.points }, now, write)
    : await sessionUserFor(claims).then((user) => user && { user, count: null, written: null });
  if (!found) throw unauthorized();
  const wait = await waitAfterPoint(budget, found.count, now, found.user.id);
  if (wait !== null) throw webSubmitRefusal(wait);
  return { user: found.user, written: found.written };
}
