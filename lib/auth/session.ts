// Who is asking: the signed-in user of a page or route handler (see session-user.ts
// for when a session still counts).
import { getServerSession } from "next-auth";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { unauthorized } from "../http/errors";
import { noteRequestUser } from "../ops/request-context";
import { getAuthOptions } from "./options";
import { sessionClaimsFromCookies } from "./session-cookie";
import type { Prisma } from "../db/client";
import { sessionUserFor, sessionUserWith, type SessionClaims, type SessionUser } from "./session-user";
import type { AdmittedWrite } from "./admit-grouped";
import { submitterFor, submitterWriting } from "./session-submitter";

export type { SessionUser } from "./session-user";
export { isAdminEmail } from "./session-user";

/** The signed-in user, or null. A session whose user was deleted, disabled or signed out everywhere counts as none. */
export async function getSessionUser(): Promise<SessionUser | null> {
  const user = await sessionUserFor(await sessionClaims());
  if (user) noteRequestUser(user.id);
  return user;
}

/** The request's session claims; a chunked cookie (a token over 4 KB) is read by next-auth. */
async function sessionClaims(): Promise<SessionClaims | null> {
  const claims = await sessionClaimsFromCookies(await cookies());
  if (claims !== "chunked") return claims;
  const session = await getServerSession(getAuthOptions());
  return (session?.user as SessionClaims | undefined) ?? null;
}

/** For pages: the user, or a redirect to sign-in that comes back here. */
export async function requireUser(returnTo = "/"): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
  return user;
}

/** For route handlers: the user, or an ApiError 401. */
export async function requireApiUser(): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) throw unauthorized();
  return user;
}

/** For route handlers: the user and a value read with it in one statement (session-user.ts), or an ApiError 401. */
export async function requireApiUserWith(extra: (userId: string) => Prisma.Sql): Promise<{ user: SessionUser; extra: unknown }> {
  const found = await sessionUserWith(await sessionClaims(), extra);
  if (!found) throw unauthorized();
  noteRequestUser(found.user.id);
  return found;
}

/** For route handlers: the request's session claims, or an ApiError 401 when it has none (no query yet). */
export async function requireApiClaims(): Promise<SessionClaims> {
  const claims = await sessionClaims();
  if (!claims) throw unauthorized();
  return claims;
}

/** For routes that start a task: the user, having spent one point of their web submit budget (session-submitter.ts); an ApiError 401 or 429. */
export async function requireApiSubmitter(claims?: SessionClaims): Promise<SessionUser> {
  const user = await submitterFor(claims ?? (await requireApiClaims()));
  noteRequestUser(user.id);
  return user;
}

/** The same, making `write` in the admission's own statement (session-submitter.ts, submitterWriting). */
export async function requireApiSubmitterWriting<W extends { id: string }>(
  claims: SessionClaims,
  write: AdmittedWrite<W> | undefined,
): Promise<{ user: SessionUser; written: W | null }> {
  const found = await submitterWriting(claims, write);
  noteRequestUser(found.user.id);
  return found;
}
