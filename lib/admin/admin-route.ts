// Admin pages and routes: the role is checked on the server for every request,
// and anyone else (signed out or not an admin) is told the page does not exist.
import { notFound as notFoundPage } from "next/navigation";
import { getSessionUser, type SessionUser } from "../auth/session";
import { notFound } from "../http/errors";
import { route } from "../http/route";

/** For pages: the admin, or Next.js's 404. */
export async function requireAdminPage(): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user?.isAdmin) notFoundPage();
  return user;
}

/** For route handlers: like userRoute (CSRF rules included), but 404 for anyone but an admin. */
export function adminRoute<P = Record<string, string>>(handler: (req: Request, ctx: { params: P; admin: SessionUser }) => Promise<Response>) {
  return route<P>(
    async (req, ctx) => {
      const admin = await getSessionUser();
      if (!admin?.isAdmin) throw notFound();
      return handler(req, { params: await ctx.params, admin });
    },
    { sameOriginWrites: true },
  );
}
