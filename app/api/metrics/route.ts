// GET /api/metrics: Prometheus text for scrapers. Needs `Authorization: Bearer
// <METRICS_TOKEN>`; without METRICS_TOKEN the endpoint does not exist (404), so
// a default install never exposes its internals.
import { getConfig } from "@/lib/config";
import { assertBearer } from "@/lib/http/bearer";
import { notFound } from "@/lib/http/errors";
import { route } from "@/lib/http/route";
import { renderMetrics } from "@/lib/ops/render-metrics";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => {
  const token = getConfig().METRICS_TOKEN;
  if (!token) throw notFound();
  assertBearer(req, token, "metrics token");
  const { contentType, body } = await renderMetrics();
  return new Response(body, { headers: { "Content-Type": contentType, "Cache-Control": "no-store" } });
});
