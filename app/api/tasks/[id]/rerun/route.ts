// POST /api/tasks/<id>/rerun: a new task with the same parameters (spends the same per-user budget as POST /api/tasks).
import { requireApiSubmitter } from "@/lib/auth/session";
import { route } from "@/lib/http/route";
import { rerunTask } from "@/lib/tasks/rerun-task";
import { withQueue } from "@/lib/tasks/queue-position";
import { toTaskDto } from "@/lib/tasks/to-dto";

export const POST = route<{ id: string }>(
  async (_req, ctx) => {
    const user = await requireApiSubmitter();
    const { id } = await ctx.params;
    const { task } = await rerunTask({ id, userId: user.id }, user.quota);
    const [dto] = await withQueue(user.id, [toTaskDto({ ...task, images: [] })]);
    return Response.json(dto, { status: 202 });
  },
  { sameOriginWrites: true },
);
