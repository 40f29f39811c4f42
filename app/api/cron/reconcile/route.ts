// POST /api/cron/reconcile, for hosts without long-lived
// processes: one reconciler pass and one round of caller callbacks. Needs `Authorization: Bearer <CRON_SECRET>`.
import { getConfig } from "@/lib/config";
import { assertBearer } from "@/lib/http/bearer";
import { ApiError } from "@/lib/http/errors";
import { route } from "@/lib/http/route";
import { deliverDueCallbacks } from "@/lib/gateway/callbacks/deliver-callbacks";
import { reconcileOnce } from "@/lib/tasks/reconciler";

export const POST = route(async (req) => {
  const secret = getConfig().CRON_SECRET;
  if (!secret) throw new ApiError(404, "not_found", "Cron endpoint is disabled: set CRON_SECRET to enable it");
  assertBearer(req, secret, "cron secret");
  const processed = await reconcileOnce({ concurrency: 16 });
  const delivered = await deliverDueCallbacks({ concurrency: 16 });
  return Response.json({ processed, delivered });
});
