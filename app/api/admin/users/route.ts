// GET /api/admin/users?q=&cursor=&limit=: every user with this month's usage (admins only; 404 for anyone else).
import { adminRoute } from "@/lib/admin/admin-route";
import { listUsersForAdmin } from "@/lib/admin/list-users";
import { listUsersQuerySchema } from "@/lib/admin/schema";
import { validationError } from "@/lib/http/errors";

export const GET = adminRoute(async (req) => {
  const parsed = listUsersQuerySchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw validationError(parsed.error);
  return Response.json(await listUsersForAdmin(parsed.data), { headers: { "Cache-Control": "no-store" } });
});
