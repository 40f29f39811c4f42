// POST /api/signup: create an email + password account.
import { signUpSchema } from "@/lib/auth/schema";
import { signUp } from "@/lib/auth/sign-up";
import { clientIp } from "@/lib/http/client-ip";
import { readJson } from "@/lib/http/read-json";
import { route } from "@/lib/http/route";

// Same-origin like the cookie routes: a foreign page must not create accounts in a visitor's name.
export const POST = route(
  async (req) => {
    const input = await readJson(req, signUpSchema, 16 * 1024);
    const user = await signUp(input, clientIp(req.headers));
    return Response.json({ user }, { status: 201 });
  },
  { sameOriginWrites: true },
);
