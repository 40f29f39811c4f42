// GET /api/tasks/<id>/download: the task's images as a ZIP, streamed.
import { userRoute } from "@/lib/http/route";
import { taskZipResponse } from "@/lib/tasks/task-zip";

export const GET = userRoute<{ id: string }>(async (_req, { params, user }) => taskZipResponse({ id: params.id, userId: user.id }));
