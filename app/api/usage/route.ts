// GET /api/usage: this month's image use and budget for the signed-in user.
import { userRoute } from "@/lib/http/route";
import { getUsage } from "@/lib/usage/budget";
import { toUsageDto } from "@/lib/usage/schema";

export const GET = userRoute(async (_req, { user }) => Response.json(toUsageDto(await getUsage(user.id)), { headers: { "Cache-Control": "no-store" } }));
