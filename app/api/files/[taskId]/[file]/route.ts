// GET /api/files/<taskId>/<index>.png?sig=…: an archived image through a signed
// link handed out by the gateway; no session needed.
import { verifyImageSignature } from "@/lib/gateway/signed-url";
import { notFound } from "@/lib/http/errors";
import { route } from "@/lib/http/route";
import { serveTaskImage } from "@/lib/tasks/serve-image";

export const GET = route<{ taskId: string; file: string }>(async (req, ctx) => {
  const { taskId, file } = await ctx.params;
  const index = Number(file.replace(/\.png$/, ""));
  if (!Number.isInteger(index) || !verifyImageSignature(taskId, index, new URL(req.url).searchParams.get("sig"))) {
    throw notFound("Image not found");
  }
  return serveTaskImage(req, { taskId, index: String(index) }, { cacheControl: "public, max-age=31536000, immutable", publicLink: true });
});
