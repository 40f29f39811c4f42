// GET /api/health/live: liveness for orchestrators; touches no dependency, so a
// database outage never gets healthy processes restarted.
import { checkLiveness } from "@/lib/health";

export const dynamic = "force-dynamic";

export function GET() {
  return Response.json(checkLiveness(), { headers: { "Cache-Control": "no-store" } });
}
