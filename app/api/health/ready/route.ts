// GET /api/health/ready: readiness for load balancers; 503 naming the part
// (database, storage) that fails. Upstream reachability is informational.
import { checkReadiness } from "@/lib/health";

export const dynamic = "force-dynamic";

export async function GET() {
  const report = await checkReadiness();
  return Response.json(report, { status: report.status === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
