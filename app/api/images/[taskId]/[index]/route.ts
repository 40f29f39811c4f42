// GET /api/images/<taskId>/<index>[?size=thumb][&download=1]: an archived image, for its owner only.
import { userRoute } from "@/lib/http/route";
import { serveTaskImage } from "@/lib/tasks/serve-image";

export const GET = userRoute<{ taskId: string; index: string }>(async (req, { params, user }) =>
  serveTaskImage(req, { taskId: params.taskId, index: params.index, userId: user.id }),
);
