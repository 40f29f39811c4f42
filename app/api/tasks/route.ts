// POST /api/tasks: submit a generation. GET /api/tasks: the user's history.
import { enforceWebSubmitLimit } from "@/lib/gateway/rate-limit";
import { validationError } from "@/lib/http/errors";
import { readIdempotencyKey } from "@/lib/http/idempotency-key";
import { readJson } from "@/lib/http/read-json";
import { requireApiUser, requireApiUserWith } from "@/lib/auth/session";
import { route, userRoute } from "@/lib/http/route";
import { listTasks, plainListDto, plainListPlan, plainListSql } from "@/lib/tasks/list-tasks";
import { createTaskSchema, listTasksQuerySchema } from "@/lib/tasks/schema";
import { startTask } from "@/lib/tasks/start-task";
import { withQueue } from "@/lib/tasks/queue-position";
import { toTaskDto } from "@/lib/tasks/to-dto";

// A 10 MB image is about 13.4 MB as Base64, plus the other fields.
export const MAX_TASK_BODY_BYTES = 14 * 1024 * 1024;

export const POST = userRoute(async (req, { user }) => {
  const idempotencyKey = readIdempotencyKey(req);
  const input = await readJson(req, createTaskSchema, MAX_TASK_BODY_BYTES);
  await enforceWebSubmitLimit(user.id);
  const { task, created } = await startTask(input, { userId: user.id, source: "web", idempotencyKey, quota: user.quota });
  const [dto] = await withQueue(user.id, [toTaskDto({ ...task, images: [] })]);
  return Response.json(dto, { status: created ? 202 : 200 });
});

export const GET = route(
  async (req) => {
    const params = Object.fromEntries(new URL(req.url).searchParams);
    const parsed = listTasksQuerySchema.safeParse(params);
    const headers = { "Cache-Control": "no-store" };
    // The common page (no filter, no count) is read in the session check's own statement: one round trip.
    const plan = parsed.success ? plainListPlan(parsed.data) : null;
    if (plan) {
      const { user, extra } = await requireApiUserWith((id) => plainListSql(id, plan));
      return Response.json(await plainListDto(user.id, plan, extra), { headers });
    }
    const user = await requireApiUser();
    if (!parsed.success) throw validationError(parsed.error);
    return Response.json(await listTasks(user.id, parsed.data), { headers });
  },
  { sameOriginWrites: true },
);
