// POST /api/tasks/<id>/rerun: a new task with the same parameters (spends the same per-user budget as POST /api/tasks).
import { enforceWebSubmitLimit } from "@/lib/gateway/rate-limit";
import { userRoute } from "@/lib/http/route";
import { rerunTask } from "@/lib/tasks/rerun-task";
import { withQueue } from "@/lib/tasks/queue-position";
import { toTaskDto } from "@/lib/tasks/to-dto";

export const POST = userRoute<{ id: string }>(async (_req, { params, user }) => {
  await enforceWebSubmitLimit(user.id);
  const { task } = await rerunTask({ id: params.id, userId: user.id }, user.quota);
  const [dto] = await withQueue(user.id, [toTaskDto({ ...task, images: [] })]);
  return Response.json(dto, { status: 202 });
});
