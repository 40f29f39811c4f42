// PATCH /api/account {"name"}: change the display name.
// DELETE /api/account {"confirm": "<the account's email>"}: delete the account and all its data, signing out everywhere.
import { deleteAccount } from "@/lib/account/delete-account";
import { deleteAccountSchema, updateProfileSchema } from "@/lib/account/schema";
import { updateProfile } from "@/lib/account/update-profile";
import { clearedSessionCookie } from "@/lib/auth/session-version";
import { readJson } from "@/lib/http/read-json";
import { userRoute } from "@/lib/http/route";

export const PATCH = userRoute(async (req, { user }) => {
  const input = await readJson(req, updateProfileSchema, 4096);
  return Response.json(await updateProfile(user.id, input), { headers: { "Cache-Control": "no-store" } });
});

export const DELETE = userRoute(async (req, { user }) => {
  const { confirm } = await readJson(req, deleteAccountSchema, 4096);
  await deleteAccount(user.id, confirm);
  return new Response(null, { status: 204, headers: { "Set-Cookie": clearedSessionCookie() } });
});
