// POST /api/tasks: submit a generation. GET /api/tasks: the user's history.
import { consumeRateLimit } from "@/lib/gateway/rate-limit";
import { ApiError, validationError } from "@/lib/http/errors";
import { readJson } from "@/lib/http/read-json";
import { userRoute } from "@/lib/http/route";
import { listTasks } from "@/lib/tasks/list-tasks";
import { createTaskSchema, listTasksQuerySchema } from "@/lib/tasks/schema";
import { startTask } from "@/lib/tasks/start-task";
import { toTaskDto } from "@/lib/tasks/to-dto";

// A 10 MB image is about 13.4 MB as Base64, plus the other fields.
export const MAX_TASK_BODY_BYTES = 14 * 1024 * 1024;

export const POST = userRoute(async (req, { user }) => {
  const idempotencyKey = req.headers.get("idempotency-key")?.trim() || null;
  if (idempotencyKey && idempotencyKey.length > 200) {
    throw new ApiError(400, "invalid_request", "Idempotency-Key must be at most 200 characters", { "Idempotency-Key": "at most 200 characters" });
  }
  const input = await readJson(req, createTaskSchema, MAX_TASK_BODY_BYTES);
  const wait = await consumeRateLimit("web-submit", user.id);
  if (wait !== null) {
    throw new ApiError(429, "rate_limited", `Too many generations at once: try again in ${wait} s`, undefined, { "Retry-After": String(wait) });
  }
  const { task, created } = await startTask(input, { userId: user.id, source: "web", idempotencyKey });
  return Response.json(toTaskDto({ ...task, images: [] }), { status: created ? 202 : 200 });
});

export const GET = userRoute(async (req, { user }) => {
  const params = Object.fromEntries(new URL(req.url).searchParams);
  const parsed = listTasksQuerySchema.safeParse(params);
  if (!parsed.success) throw validationError(parsed.error);
  return Response.json(await listTasks(user.id, parsed.data), { headers: { "Cache-Control": "no-store" } });
});
