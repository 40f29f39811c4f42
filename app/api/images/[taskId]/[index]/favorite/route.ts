// PUT /api/images/<taskId>/<index>/favorite marks an image as a favourite; DELETE unmarks it.
import { setImageFavorite } from "@/lib/images/favorite-image";
import { userRoute } from "@/lib/http/route";

type Params = { taskId: string; index: string };

export const PUT = userRoute<Params>(async (_req, { params, user }) => Response.json(await setImageFavorite({ ...params, userId: user.id }, true)));
export const DELETE = userRoute<Params>(async (_req, { params, user }) => Response.json(await setImageFavorite({ ...params, userId: user.id }, false)));
