// Wrappers that make every route handler answer errors the same way and, for
// private routes, refuse cross-site writes and resolve the signed-in user first.
import { requireApiUser, type SessionUser } from "../auth/session";
import { getConfig } from "../config";
import { textProblem } from "../validation/text";
import { ApiError, clientClosedResponse, errorResponse } from "./errors";
import { assertSameOriginWrite } from "./same-origin";

type Ctx<P> = { params: Promise<P> };

/**
 * `sameOriginWrites`: POST/PUT/PATCH/DELETE must come from the portal's pages or
 * be JSON (CSRF). On for every userRoute; routes that authenticate otherwise
 * (gateway keys, cron bearer, upstream callback secrets) leave it off.
 */
export function route<P = Record<string, string>>(handler: (req: Request, ctx: Ctx<P>) => Promise<Response>, opts: { sameOriginWrites?: boolean } = {}) {
  return async (req: Request, ctx: Ctx<P>) => {
    try {
      if (opts.sameOriginWrites) assertSameOriginWrite(req, getConfig().PUBLIC_URL);
      const params = await ctx.params;
      assertPlainParams(params);
      return await handler(req, { params: Promise.resolve(params) });
    } catch (err) {
      // The client left mid-request (a closed tab, a cancelled fetch, a proxy's timeout; reading its body then fails
      // with "aborted"): no fault of ours, and nobody reads the answer.
      if (req.signal?.aborted) return clientClosedResponse(err);
      return errorResponse(err);
    }
  };
}

export function userRoute<P = Record<string, string>>(handler: (req: Request, ctx: { params: P; user: SessionUser }) => Promise<Response>) {
  return route<P>(
    async (req, ctx) => {
      const user = await requireApiUser();
      return handler(req, { params: await ctx.params, user });
    },
    { sameOriginWrites: true },
  );
}

/**
 * Ids come from the path, decoded (%00 is a NUL): refused here, once for every
 * route, since PostgreSQL fails on a NUL in a query (a 500) and no id has one.
 */
function assertPlainParams(params: unknown): void {
  if (!params || typeof params !== "object") return;
  for (const [name, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      const problem = typeof v === "string" ? textProblem(name, v) : null;
      if (problem) throw new ApiError(400, "invalid_request", problem, { [name]: problem });
    }
  }
}
