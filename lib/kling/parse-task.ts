// Tolerant reading of a task from an upstream body: gateways wrap the task in
// `data.data`, `data` or send it at the top level, and numbers sometimes
// arrive as strings. Anything else is an invalid response.
import { KlingError } from "./errors";
import type { UpstreamImage, UpstreamTask } from "./provider";
import { isHttpLink, KLING_TASK_STATUSES, type KlingTaskStatus } from "./schema";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);

/** The object holding `task_id`, looking in `data.data`, `data`, then the top level. */
export function findTaskObject(body: unknown): Obj | undefined {
  if (!isObj(body)) return undefined;
  const data = isObj(body.data) ? body.data : undefined;
  const candidates = [isObj(data?.data) ? (data!.data as Obj) : undefined, data, body];
  return candidates.find((c): c is Obj => !!c && (typeof c.task_id === "string" || typeof c.task_id === "number"));
}

/** True for the seed's `{ "task_status": "failed", "task_status_msg": "task not found" }`. */
export function isTaskNotFoundBody(body: unknown): boolean {
  const candidates = isObj(body) ? [body, isObj(body.data) ? body.data : undefined] : [];
  return candidates.some(
    (c) => isObj(c) && c.task_id === undefined && c.task_status === "failed" && typeof c.task_status_msg === "string" && /not found/i.test(c.task_status_msg),
  );
}

export function parseTask(body: unknown): UpstreamTask {
  const t = findTaskObject(body);
  if (!t) throw new KlingError("invalid_response", "Kling answered without a task_id");
  const status = String(t.task_status ?? "").toLowerCase();
  if (!KLING_TASK_STATUSES.includes(status as KlingTaskStatus)) {
    throw new KlingError("invalid_response", `Kling reported an unknown task status "${String(t.task_status).slice(0, 40)}"`);
  }
  return {
    taskId: String(t.task_id),
    status: status as KlingTaskStatus,
    statusMsg: typeof t.task_status_msg === "string" ? t.task_status_msg : "",
    images: parseImages(t.task_result),
    createdAt: toMillis(t.created_at),
    updatedAt: toMillis(t.updated_at),
  };
}

function parseImages(result: unknown): UpstreamImage[] {
  const list = isObj(result) && Array.isArray(result.images) ? result.images : [];
  const images: UpstreamImage[] = [];
  list.forEach((img, i) => {
    if (!isObj(img) || typeof img.url !== "string" || !isHttpLink(img.url)) return;
    const index = Number(img.index ?? i);
    images.push({ index: Number.isInteger(index) && index >= 0 ? index : i, url: img.url });
  });
  return images.sort((a, b) => a.index - b.index);
}

function toMillis(v: unknown): number | undefined {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}
