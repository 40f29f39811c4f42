// GET /api/images/download?i=<taskId>.<index>&i=…: chosen images of the user's tasks as one ZIP, streamed.
import { ApiError } from "@/lib/http/errors";
import { userRoute } from "@/lib/http/route";
import { imagesZipResponse } from "@/lib/tasks/task-zip";

const MAX_IMAGES = 500;
const PICK = /^([A-Za-z0-9_-]{1,100})\.([0-8])$/;

export const GET = userRoute(async (req, { user }) => {
  const raw = new URL(req.url).searchParams.getAll("i");
  if (raw.length === 0) throw new ApiError(400, "invalid_request", "i is required: one or more <taskId>.<index>", { i: "is required" });
  if (raw.length > MAX_IMAGES) throw new ApiError(400, "invalid_request", `i must name at most ${MAX_IMAGES} images`, { i: `at most ${MAX_IMAGES}` });
  const picks = raw.map((value) => {
    const m = PICK.exec(value);
    if (!m)
      throw new ApiError(400, "invalid_request", `i must look like <taskId>.<index> with index 0–8, not "${value.slice(0, 40)}"`, {
        i: "must be <taskId>.<index>",
      });
    return { taskId: m[1]!, index: Number(m[2]) };
  });
  return imagesZipResponse(user.id, picks);
});
