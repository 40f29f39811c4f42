// /api/auth/*: next-auth's sign-in, callback, session and sign-out endpoints.
import NextAuth from "next-auth";
import { getAuthOptions } from "@/lib/auth/options";
import { withAuthRequest } from "@/lib/auth/oauth-sign-in";
import { withThrottleStatus } from "@/lib/auth/throttled-response";

type Ctx = { params: Promise<{ nextauth: string[] }> };

async function handler(req: Request, ctx: Ctx) {
  return withAuthRequest(req, async () => withThrottleStatus(await NextAuth(req as never, ctx as never, getAuthOptions())));
}

export { handler as GET, handler as POST };
