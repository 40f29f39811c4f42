// Stores a new task before anything is sent upstream, so a crash can never
// lose a paid-for generation: the reconciler picks up whatever was stored.
// An Idempotency-Key returns the task it already made (same request) or a 422.
import { getConfig } from "../config";
import { getDb } from "../db/client";
import { isUniqueViolation } from "../db/unique-violation";
import type { Task } from "../generated/prisma/client";
import { ApiError } from "../http/errors";
import { readImageHeader } from "../kling/image-header";
import { isHttpLink } from "../kling/schema";
import { getBlobStore } from "../storage";
import type { QuotaOverride } from "../usage/budget";
import { insertWithinBudget } from "../usage/reserve";
import { insertTask, type NewTask } from "./insert-task";
import { hashRequest } from "./request-hash";
import type { CreateTaskRequest } from "./schema";
import { WAITING_MSG } from "./queue-messages";
import { creatorHoldSeconds } from "./timing";
import { randomBase64url, randomHex } from "./random-pool";

export type CreateTaskOptions = {
  userId: string;
  source?: "web" | "api";
  apiKeyId?: string | null;
  idempotencyKey?: string | null;
  clientCallbackUrl?: string | null;
  /** Seconds the creator holds the task before the reconciler may take it over. */
  holdSeconds?: number;
  /** The user's image budget override when authentication already read it (else it is read here). */
  quota?: QuotaOverride;
  /**
   * The caller sends the task upstream the moment it is stored (startTask): a task it holds
   * is then stored as sent, as the lease proof just before the send would mark it, one
   * round trip earlier. Only when nothing is read between storing and sending (no upload).
   */
  sendNow?: boolean;
};

/** An Idempotency-Key is honoured for 24 hours (Stripe's window); after that it starts a new task. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

export async function createTask(input: CreateTaskRequest, opts: CreateTaskOptions): Promise<{ task: Task; created: boolean }> {
  // What the task will be, defaults filled in, so leaving out a default is the same request.
  const requestHash = opts.idempotencyKey
    ? hashRequest({
        source: opts.source ?? "web",
        prompt: input.prompt,
        negative_prompt: input.negative_prompt ?? null,
        image: input.image ?? null,
        image_fidelity: input.image_fidelity ?? 0.5,
        n: input.n ?? 1,
        aspect_ratio: input.aspect_ratio ?? "16:9",
        callback_url: opts.clientCallbackUrl ?? null,
      })
    : null;
  // A lost race on the key's uniqueness goes round again to find (and check) the winner's task.
  for (let round = 0; ; round++) {
    if (opts.idempotencyKey) {
      const replay = await findReplay(opts.userId, opts.idempotencyKey, requestHash!);
      if (replay) return { task: replay, created: false };
    }
    const id = newTaskId();
    const imageRef = await storeReferenceImage(id, input.image);
    const now = Date.now();
    try {
      const row = newTaskRow(input, opts, { id, imageRef, requestHash, now });
      // Over the user's image budget this throws (a 403) and the catch below removes the upload.
      const task = await insertWithinBudget(opts.userId, row.n, (tx) => insertTask(tx, row, new Date(now)), opts.quota);
      return { task, created: true };
    } catch (err) {
      if (imageRef?.startsWith("blob:"))
        await getBlobStore()
          .delete(imageRef.slice(5))
          .catch(() => {});
      // Two concurrent requests with one Idempotency-Key: the loser returns the winner's task.
      if (opts.idempotencyKey && round < 2 && isUniqueViolation(err)) continue;
      throw err;
    }
  }
}

/** The row createTask stores for `input` (defaults filled in), created at `now` (ms). */
export function newTaskRow(
  input: CreateTaskRequest,
  opts: CreateTaskOptions,
  made: { id: string; imageRef: string | null; requestHash: string | null; now: number },
): NewTask {
  const config = getConfig();
  const { id, imageRef, now } = made;
  const creatorHold = { leaseUntil: new Date(now + (opts.holdSeconds ?? creatorHoldSeconds(config)) * 1000), leaseOwner: creatorOf(id) };
  return {
    id,
    userId: opts.userId,
    source: opts.source ?? "web",
    apiKeyId: opts.apiKeyId ?? null,
    prompt: input.prompt,
    negativePrompt: input.negative_prompt ?? null,
    imageRef,
    imageFidelity: input.image_fidelity ?? 0.5,
    n: input.n ?? 1,
    aspectRatio: input.aspect_ratio ?? "16:9",
    clientCallbackUrl: opts.clientCallbackUrl ?? null,
    provider: config.KLING_PROVIDER,
    callbackSecret: randomBase64url(24),
    idempotencyKey: opts.idempotencyKey ?? null,
    requestHash: made.requestHash,
    deadlineAt: new Date(now + config.TASK_DEADLINE_SECONDS * 1000),
    // With a concurrency limit it waits for a slot (fair-queue.ts). A creator about to grant it one (sendNow) holds it,
    // so that no other granter takes it first and the creator answers "queued" for a task it meant to send.
    ...(config.KLING_MAX_CONCURRENCY !== undefined
      ? {
          status: "waiting" as const,
          statusMsg: WAITING_MSG,
          ...(opts.sendNow ? creatorHold : {}),
        }
      : {
          // Held by the creator, which submits it at once; after the hold the reconciler takes over.
          ...creatorHold,
          ...(opts.sendNow && !imageRef?.startsWith("blob:") ? { submitSentAt: new Date(now) } : {}),
        }),
  };
}

/** The lease owner a new task's creator holds it as, until it has sent it (or granted it a slot). */
export const creatorOf = (taskId: string): string => `creator:${taskId}`;

/** A new task's id: time-ordered, like a cuid. */
export function newTaskId(): string {
  return `t${Date.now().toString(36)}${randomHex(8)}`;
}

// The task an Idempotency-Key already names: returned when the request is the
// same, a 422 when it differs. A key past its window is released (cleared on
// the old task by a guarded update) so the uniqueness holds within the window only.
async function findReplay(userId: string, idempotencyKey: string, requestHash: string): Promise<Task | null> {
  const db = getDb();
  const existing = await db.task.findUnique({ where: { userId_idempotencyKey: { userId, idempotencyKey } } });
  if (!existing) return null;
  if (Date.now() - existing.createdAt.getTime() > IDEMPOTENCY_WINDOW_MS) {
    await db.task.updateMany({ where: { id: existing.id, idempotencyKey }, data: { idempotencyKey: null } });
    return null;
  }
  // Tasks stored before request hashes existed have none: they are taken as the same request.
  if (existing.requestHash && existing.requestHash !== requestHash) {
    throw new ApiError(
      422,
      "idempotency_mismatch",
      "Idempotency-Key was already used in the last 24 hours with a different request; send a new key for a new request",
    );
  }
  return existing;
}

// An uploaded (Base64) reference image is kept in storage, so re-runs and
// resubmissions can send it again; a URL is kept as it is.
async function storeReferenceImage(taskId: string, image: string | undefined | null): Promise<string | null> {
  if (!image) return null;
  if (isHttpLink(image)) return image;
  const bytes = Buffer.from(image, "base64");
  const isPng = readImageHeader(bytes)?.format === "png";
  const key = `refs/${taskId}.${isPng ? "png" : "jpg"}`;
  await getBlobStore().put(key, bytes, isPng ? "image/png" : "image/jpeg");
  return `blob:${key}`;
}

/** A stored task's request as it was made, its uploaded reference read back from storage. */
export async function storedRequest(task: Task): Promise<CreateTaskRequest> {
  return {
    prompt: task.prompt,
    negative_prompt: task.negativePrompt ?? undefined,
    image: await loadReferenceImage(task.imageRef),
    image_fidelity: task.imageFidelity,
    n: task.n,
    aspect_ratio: task.aspectRatio as CreateTaskRequest["aspect_ratio"],
  };
}

export async function loadReferenceImage(imageRef: string | null): Promise<string | undefined> {
  if (!imageRef) return undefined;
  if (!imageRef.startsWith("blob:")) return imageRef;
  const blob = await getBlobStore().get(imageRef.slice(5));
  if (!blob) throw new Error("The uploaded reference image is missing from storage");
  return blob.body.toString("base64");
}
