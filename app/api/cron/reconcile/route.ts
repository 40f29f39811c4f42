// POST /api/cron/reconcile, for hosts without long-lived
// processes: one reconciler pass and one round of caller callbacks. Needs `Authorization: Bearer <CRON_SECRET>`.
import { timingSafeEqual } from "node:crypto";
import { getConfig } from "@/lib/config";
import { ApiError } from "@/lib/http/errors";
import { route } from "@/lib/http/route";
import { deliverDueCallbacks } from "@/lib/gateway/callbacks/deliver-callbacks";
import { reconcileOnce } from "@/lib/tasks/reconciler";

export const POST = route(async (req) => {
  const secret = getConfig().CRON_SECRET;
  if (!secret) throw new ApiError(404, "not_found", "Cron endpoint is disabled: set CRON_SECRET to enable it");
  const given = Buffer.from(req.headers.get("authorization")?.replace(/^Bearer\s+/i, "") ?? "");
  const want = Buffer.from(secret);
  if (given.length !== want.length || !timingSafeEqual(given, want)) throw new ApiError(401, "unauthorized", "Invalid cron secret");
  const processed = await reconcileOnce({ concurrency: 16 });
  const delivered = await deliverDueCallbacks({ concurrency: 16 });
  return Response.json({ processed, delivered });
});
