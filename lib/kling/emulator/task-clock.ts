// An emulated task and its clock: when it is submitted, processing and done,
// and its status at any moment as each API family (seed, official) shows it.
import { randomBytes } from "node:crypto";
import type { KlingImageRequest, KlingTaskStatus } from "../schema";

export type ApiFamily = "seed" | "official";

export type EmulatedTask = {
  id: string;
  api: ApiFamily;
  externalTaskId?: string;
  request: KlingImageRequest;
  createdAt: number;
  processingAt: number;
  endsAt: number;
  outcome: "succeed" | "failed";
  failMsg: string;
  imagesBase: string;
  /** Set by reference-images.ts while the reference is kept. */
  reference?: Promise<Buffer | undefined>;
};

export const newId = () => randomBytes(16).toString("base64url").slice(0, 22);

export function newTask(args: {
  api: ApiFamily;
  request: KlingImageRequest;
  externalTaskId?: string;
  durationMs: number;
  outcome: "succeed" | "failed";
  imagesBase: string;
  now?: number;
}): EmulatedTask {
  const now = args.now ?? Date.now();
  return {
    id: newId(),
    api: args.api,
    externalTaskId: args.externalTaskId,
    request: args.request,
    createdAt: now,
    processingAt: now + Math.round(args.durationMs * 0.25),
    endsAt: now + args.durationMs,
    outcome: args.outcome,
    failMsg: "The emulator failed this task on purpose (failure rate or fault injection).",
    imagesBase: args.imagesBase,
  };
}

export function statusAt(task: EmulatedTask, now: number): { status: KlingTaskStatus; updatedAt: number } {
  if (now >= task.endsAt) return { status: task.outcome, updatedAt: task.endsAt };
  if (now >= task.processingAt) return { status: "processing", updatedAt: task.processingAt };
  return { status: "submitted", updatedAt: task.createdAt };
}

/** The seed's status body (getImageStatus and seed callbacks). */
export function seedStatusBody(task: EmulatedTask, now = Date.now()) {
  const { status, updatedAt } = statusAt(task, now);
  return {
    task_id: task.id,
    task_status: status,
    task_status_msg: status === "failed" ? task.failMsg : "",
    task_result: {
      images:
        status === "succeed" ? Array.from({ length: task.request.n }, (_, index) => ({ index, url: `${task.imagesBase}/images/${task.id}/${index}.png` })) : [],
    },
    created_at: task.createdAt,
    updated_at: updatedAt,
  };
}

/** The official API's task object (GET data and official callbacks): the seed's body plus task_info. */
export function officialTaskBody(task: EmulatedTask, now = Date.now()) {
  const { task_id, task_status, task_status_msg, task_result, created_at, updated_at } = seedStatusBody(task, now);
  return { task_id, task_status, task_status_msg, task_info: { external_task_id: task.externalTaskId }, task_result, created_at, updated_at };
}

/** What a callback for this task carries at moment `at`, in its own API family's shape. */
export function callbackBody(task: EmulatedTask, at: number) {
  return task.api === "official" ? officialTaskBody(task, at) : seedStatusBody(task, at);
}
