// Stores a new task before anything is sent upstream, so a crash can never
// lose a paid-for generation: the reconciler picks up whatever was stored.
import { randomBytes } from "node:crypto";
import { getConfig } from "../config";
import { getDb, Prisma } from "../db/client";
import type { Task } from "../generated/prisma/client";
import { readImageHeader } from "../kling/image-header";
import { getBlobStore } from "../storage";
import type { CreateTaskRequest } from "./schema";
import { creatorHoldSeconds } from "./timing";

export type CreateTaskOptions = {
  userId: string;
  source?: "web" | "api";
  apiKeyId?: string | null;
  idempotencyKey?: string | null;
  clientCallbackUrl?: string | null;
  /** Seconds the creator holds the task before the reconciler may take it over. */
  holdSeconds?: number;
};

export async function createTask(input: CreateTaskRequest, opts: CreateTaskOptions): Promise<{ task: Task; created: boolean }> {
  const db = getDb();
  const config = getConfig();
  if (opts.idempotencyKey) {
    const existing = await db.task.findUnique({ where: { userId_idempotencyKey: { userId: opts.userId, idempotencyKey: opts.idempotencyKey } } });
    if (existing) return { task: existing, created: false };
  }
  const id = cuidLike();
  const imageRef = await storeReferenceImage(id, input.image);
  const now = Date.now();
  try {
    const task = await db.task.create({
      data: {
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
        callbackSecret: randomBytes(24).toString("base64url"),
        idempotencyKey: opts.idempotencyKey ?? null,
        deadlineAt: new Date(now + config.TASK_DEADLINE_SECONDS * 1000),
        // Held by the creator, which submits it at once; after the hold the reconciler takes over.
        leaseUntil: new Date(now + (opts.holdSeconds ?? creatorHoldSeconds(config)) * 1000),
        leaseOwner: `creator:${id}`,
      },
    });
    return { task, created: true };
  } catch (err) {
    if (imageRef?.startsWith("blob:")) await getBlobStore().delete(imageRef.slice(5)).catch(() => {});
    // Two concurrent requests with one Idempotency-Key: the loser returns the winner's task.
    if (opts.idempotencyKey && err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      const task = await db.task.findUniqueOrThrow({ where: { userId_idempotencyKey: { userId: opts.userId, idempotencyKey: opts.idempotencyKey } } });
      return { task, created: false };
    }
    throw err;
  }
}

// An uploaded (Base64) reference image is kept in storage, so re-runs and
// resubmissions can send it again; a URL is kept as it is.
async function storeReferenceImage(taskId: string, image: string | undefined | null): Promise<string | null> {
  if (!image) return null;
  if (/^https?:\/\//i.test(image)) return image;
  const bytes = Buffer.from(image, "base64");
  const isPng = readImageHeader(bytes)?.format === "png";
  const key = `refs/${taskId}.${isPng ? "png" : "jpg"}`;
  await getBlobStore().put(key, bytes, isPng ? "image/png" : "image/jpeg");
  return `blob:${key}`;
}

export async function loadReferenceImage(imageRef: string | null): Promise<string | undefined> {
  if (!imageRef) return undefined;
  if (!imageRef.startsWith("blob:")) return imageRef;
  const blob = await getBlobStore().get(imageRef.slice(5));
  if (!blob) throw new Error("The uploaded reference image is missing from storage");
  return blob.body.toString("base64");
}

function cuidLike(): string {
  return `t${Date.now().toString(36)}${randomBytes(8).toString("hex")}`;
}
