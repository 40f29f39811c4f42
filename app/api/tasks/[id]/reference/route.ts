// GET /api/tasks/<id>/reference: the reference image uploaded with a task, for its owner (so "use settings" can reuse it).
import { notFound } from "@/lib/http/errors";
import { userRoute } from "@/lib/http/route";
import { getBlobStore } from "@/lib/storage";
import { getTaskRowOrThrow } from "@/lib/tasks/get-task-or-throw";

export const GET = userRoute<{ id: string }>(async (_req, { params, user }) => {
  const task = await getTaskRowOrThrow({ id: params.id, userId: user.id });
  if (!task.imageRef?.startsWith("blob:")) throw notFound("This task has no uploaded reference image");
  const blob = await getBlobStore().get(task.imageRef.slice(5));
  if (!blob) throw notFound("The reference image is missing from storage");
  return new Response(new Uint8Array(blob.body), {
    headers: { "Content-Type": blob.contentType, "Content-Length": String(blob.size), "Cache-Control": "private, max-age=3600" },
  });
});
