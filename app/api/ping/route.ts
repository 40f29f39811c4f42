// GET /api/ping: answers without touching anything (load balancers; the benchmark's baseline).
export const dynamic = "force-dynamic";

export function GET() {
  return new Response("ok", { headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" } });
}
