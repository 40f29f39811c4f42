// POST /api/account/password {"currentPassword", "newPassword"}: change the password
// (or set one on a GitHub/Google-only account, without currentPassword). Every other
// session is signed out; this browser's session is re-issued under the new version.
import { changePassword } from "@/lib/account/change-password";
import { changePasswordSchema } from "@/lib/account/schema";
import { readSessionToken, reissuedSessionCookie } from "@/lib/auth/session-version";
import { clientIp } from "@/lib/http/client-ip";
import { readJson } from "@/lib/http/read-json";
import { userRoute } from "@/lib/http/route";

export const POST = userRoute(async (req, { user }) => {
  const input = await readJson(req, changePasswordSchema, 4096);
  const version = await changePassword(user.id, input, clientIp(req.headers));
  const token = await readSessionToken(req);
  const headers: Record<string, string> = { "Cache-Control": "no-store" };
  if (token) headers["Set-Cookie"] = await reissuedSessionCookie(token, version);
  return Response.json({ ok: true, otherSessionsSignedOut: true }, { headers });
});
