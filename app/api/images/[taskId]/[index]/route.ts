// GET /api/images/<taskId>/<index>[?size=thumb][&download=1]: an archived image, for its owner only.
// DELETE: removes that one image (and the task with its last image); 204.
import { deleteImage } from "@/lib/images/delete-image";
import { userRoute } from "@/lib/http/route";
import { serveTaskImage } from "@/lib/tasks/serve-image";

type Params = { taskId: string; index: string };

export const GET = userRoute<Params>(async (req, { params, user }) => serveTaskImage(req, { taskId: params.taskId, index: params.index, userId: user.id }));

export const DELETE = userRoute<Params>(async (_req, { params, user }) => {
  await deleteImage({ ...params, userId: user.id });
  return new Response(null, { status: 204 });
});
