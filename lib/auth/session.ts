// Who is asking: the signed-in user of a page or route handler.
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { getDb } from "../db/client";
import { unauthorized } from "../http/errors";
import { noteRequestUser } from "../ops/request-context";
import { getAuthOptions } from "./options";

export type SessionUser = { id: string; email: string; name: string | null };

/** The signed-in user, or null. A session whose user was deleted counts as none. */
export async function getSessionUser(): Promise<SessionUser | null> {
  const session = await getServerSession(getAuthOptions());
  const id = (session?.user as { id?: string } | undefined)?.id;
  if (!id) return null;
  const user = await getDb().user.findUnique({ where: { id }, select: { id: true, email: true, name: true } });
  if (user) noteRequestUser(user.id);
  return user;
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
