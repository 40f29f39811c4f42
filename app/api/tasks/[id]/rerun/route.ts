// POST /api/tasks/<id>/rerun: a new task with the same parameters.
import { userRoute } from "@/lib/http/route";
import { rerunTask } from "@/lib/tasks/rerun-task";
import { toTaskDto } from "@/lib/tasks/to-dto";

export const POST = userRoute<{ id: string }>(async (_req, { params, user }) => {
  const { task } = await rerunTask({ id: params.id, userId: user.id });
  return Response.json(toTaskDto({ ...task, images: [] }), { status: 202 });
});
