// GET /api/shares/<id>/images/<index>[?size=thumb][&download=1]: a shared image, public while the link exists.
import { notFound } from "@/lib/http/errors";
import { route } from "@/lib/http/route";
import { getSharedImages } from "@/lib/shares/shares";
import { serveTaskImage } from "@/lib/tasks/serve-image";

export const GET = route<{ id: string; index: string }>(async (req, ctx) => {
  const { id, index } = await ctx.params;
  const share = await getSharedImages(id);
  if (!share?.images.some((img) => String(img.index) === index)) throw notFound("Image not found");
  // Revalidated on every use (ETag): a revoked link must stop serving at once, also from caches.
  return serveTaskImage(req, { taskId: share.taskId, index }, { cacheControl: "no-cache", publicLink: true });
});
