// Verifies, parses and applies an upstream callback. The per-task secret in
// the URL is the verification (the seed's protocol carries no signature); an
// unknown secret changes nothing. Downloads are left to the reconciler.
import { timingSafeEqual } from "node:crypto";
import { Prisma, queryRows } from "../db/client";
import type { Task } from "../generated/prisma/client";
import { ApiError, notFound } from "../http/errors";
import { readCapped } from "../http/read-capped";
import { KlingError } from "../kling/errors";
import type { UpstreamTask } from "../kling/provider";
import { applyStatus } from "./apply-status";
import { getProvider } from "./provider";
import { wakeReconciler } from "./reconciler";

const MAX_CALLBACK_BYTES = 64 * 1024;

type CallbackTask = Pick<Task, "id" | "callbackSecret" | "upstreamTaskId" | "clientCallbackUrl" | "callbackAt" | "status" | "upstreamSucceededAt">;

export async function handleUpstreamCallback(req: Request, secret: string): Promise<Response> {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(secret)) throw notFound("Unknown callback");
  // Kling repeats callbacks, and most change nothing: this read is often all a callback costs (queryRows: straight to the driver).
  const [task] = await queryRows<CallbackTask>(Prisma.sql`
    SELECT id, "callbackSecret", "upstreamTaskId", "clientCallbackUrl", "callbackAt", status, "upstreamSucceededAt"
    FROM "Task" WHERE "callbackSecret" = ${secret}`);
  if (!task || !safeEqual(task.callbackSecret, secret)) throw notFound("Unknown callback");
  const text = (await readCapped(req.body, MAX_CALLBACK_BYTES, () => new ApiError(413, "body_too_large", "Callback body is too large"))).toString("utf8");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", "Callback body must be JSON");
  }
  let upstream: UpstreamTask;
  try {
    upstream = getProvider().parseCallback(body);
  } catch (err) {
    throw new ApiError(400, "invalid_callback", err instanceof KlingError ? err.message : "Callback body is not a Kling task status");
  }
  if (task.upstreamTaskId && upstream.taskId !== task.upstreamTaskId) {
    throw new ApiError(409, "task_mismatch", "Callback is for a different task");
  }
  const result = await applyStatus(task.id, upstream, new Date(), task, "callback");
  if (result === "needs-archive") wakeReconciler();
  return Response.json({ ok: true, result });
}

function safeEqual(a: string, b: string) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
