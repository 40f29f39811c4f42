// GET /api/tasks/<id>: one task. DELETE /api/tasks/<id>: remove it and its images.
import { userRoute } from "@/lib/http/route";
import { deleteTask } from "@/lib/tasks/delete-task";
import { getTaskOrThrow } from "@/lib/tasks/get-task-or-throw";

export const GET = userRoute<{ id: string }>(async (_req, { params, user }) =>
  Response.json(await getTaskOrThrow({ id: params.id, userId: user.id }), { headers: { "Cache-Control": "no-store" } }),
);

export const DELETE = userRoute<{ id: string }>(async (_req, { params, user }) => {
  await deleteTask({ id: params.id, userId: user.id });
  return new Response(null, { status: 204 });
});
