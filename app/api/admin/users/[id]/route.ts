// PATCH /api/admin/users/<id> {"disabled": true|false}: disable or enable a user (admins only; 404 for anyone else).
import { adminRoute } from "@/lib/admin/admin-route";
import { getUserForAdmin } from "@/lib/admin/list-users";
import { updateUserSchema } from "@/lib/admin/schema";
import { setUserDisabled } from "@/lib/admin/set-user-disabled";
import { notFound } from "@/lib/http/errors";
import { readJson } from "@/lib/http/read-json";

export const PATCH = adminRoute<{ id: string }>(async (req, { params, admin }) => {
  const { disabled } = await readJson(req, updateUserSchema, 1024);
  await setUserDisabled(admin.id, params.id, disabled);
  const user = await getUserForAdmin(params.id);
  if (!user) throw notFound("User not found");
  return Response.json(user, { headers: { "Cache-Control": "no-store" } });
});
