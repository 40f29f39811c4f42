// DELETE /api/shares/<id>: revokes a link; its page and images are 404 from then on.
import { userRoute } from "@/lib/http/route";
import { deleteShare } from "@/lib/shares/shares";

export const DELETE = userRoute<{ id: string }>(async (_req, { params, user }) => {
  await deleteShare({ id: params.id, userId: user.id });
  return new Response(null, { status: 204 });
});
