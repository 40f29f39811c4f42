// Admission of a signed-in user's submit: the session check and one point of
// the user's web submit budget (rate-limit.ts), in one statement when the
// limiter counts in PostgreSQL (session-user.ts, sessionUserCounting), else the
// in-memory count just after the check. A submit makes several round trips
// and each costs the server more CPU than the database's work (README, Performance).
import { type CountedBudget, webSubmitBudget, webSubmitRefusal } from "../gateway/rate-limit";
import { unauthorized } from "../http/errors";
import { waitAfterCount } from "../rate-limit/count-in-query";
import { sessionUserCounting, sessionUserFor, type SessionClaims, type SessionUser } from "./session-user";

/** The user the claims stand for, having spent one point: an ApiError 401 (nothing spent), or 429 beyond the budget. */
export async function submitterFor(claims: SessionClaims | null, budget: CountedBudget = webSubmitBudget()): Promise<SessionUser> {
  await budget.store.ready;
  const table = budget.store.sqlTable?.() ?? null;
  let user: SessionUser | null;
  let wait: number | null;
  if (table) {
    const found = await sessionUserCounting(claims, { table, keyPrefix: budget.keyPrefix, durationMs: budget.durationMs });
    user = found?.user ?? null;
    wait = found ? waitAfterCount(found.count, budget.points, found.now) : null;
  } else {
    user = await sessionUserFor(claims);
    wait = user ? await budget.consume(user.id) : null;
  }
  if (!user) throw unauthorized();
  if (wait !== null) throw webSubmitRefusal(wait);
  return user;
}
