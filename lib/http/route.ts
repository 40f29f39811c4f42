// Wrappers that make every route handler answer errors the same way and, for
// private routes, resolve the signed-in user first.
import { requireApiUser, type SessionUser } from "../auth/session";
import { errorResponse } from "./errors";

type Ctx<P> = { params: Promise<P> };

export function route<P = Record<string, string>>(handler: (req: Request, ctx: Ctx<P>) => Promise<Response>) {
  return async (req: Request, ctx: Ctx<P>) => {
    try {
      return await handler(req, ctx);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

export function userRoute<P = Record<string, string>>(
  handler: (req: Request, ctx: { params: P; user: SessionUser }) => Promise<Response>,
) {
  return route<P>(async (req, ctx) => {
    const user = await requireApiUser();
    return handler(req, { params: await ctx.params, user });
  });
}
