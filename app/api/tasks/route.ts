// POST /api/tasks: submit a generation. GET /api/tasks: the user's history.
import { validationError } from "@/lib/http/errors";
import { readIdempotencyKey } from "@/lib/http/idempotency-key";
import { readJson } from "@/lib/http/read-json";
import { requireApiClaims, requireApiSubmitterWriting, requireApiUser, requireApiUserWith } from "@/lib/auth/session";
import { route } from "@/lib/http/route";
import { listTasks, plainListDto, plainListPlan, plainListSql } from "@/lib/tasks/list-tasks";
import { createTaskSchema, listTasksQuerySchema } from "@/lib/tasks/schema";
import { insertAtAdmission, sendStarted, startTask } from "@/lib/tasks/start-task";
import { withQueue } from "@/lib/tasks/queue-position";
import { toTaskDto } from "@/lib/tasks/to-dto";

// A 10 MB image is about 13.4 MB as Base64, plus the other fields.
export const MAX_TASK_BODY_BYTES = 14 * 1024 * 1024;

export const POST = route(
  async (req) => {
    // No session cookie: a 401 before the body is read. Else the body first, so that a good one is admitted and stored
    // in one statement (the session, the submit budget, the task); a bad one is answered after the session and spends no budget.
    const claims = await requireApiClaims();
    const request = await readRequest(req).then(
      (read) => ({ ok: true as const, ...read }),
      (err: unknown) => ({ ok: false as const, err }),
    );
    if (!request.ok) {
      await requireApiUser();
      throw request.err;
    }
    const { input, idempotencyKey } = request;
    // Admitted and, where it can be, stored in one statement; else stored after the admission.
    const storing = Date.now();
    const { user, written } = await requireApiSubmitterWriting(claims, insertAtAdmission(input, { source: "web", idempotencyKey }));
    const { task, created } = written
      ? { task: await sendStarted(written, storing), created: true }
      : await startTask(input, { userId: user.id, source: "web", idempotencyKey, quota: user.quota });
    const [dto] = await withQueue(user.id, [toTaskDto({ ...task, images: [] })]);
    return Response.json(dto, { status: created ? 202 : 200 });
  },
  { sameOriginWrites: true },
);

async function readRequest(req: Request) {
  const idempotencyKey = readIdempotencyKey(req);
  return { idempotencyKey, input: await readJson(req, createTaskSchema, MAX_TASK_BODY_BYTES) };
}

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
