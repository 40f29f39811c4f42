// POST /api/callbacks/kling/<secret>: Kling's status notification for one task.
import { route } from "@/lib/http/route";
import { handleUpstreamCallback } from "@/lib/tasks/handle-callback";

export const POST = route<{ secret: string }>(async (req, ctx) => {
  const { secret } = await ctx.params;
  return handleUpstreamCallback(req, secret);
});
