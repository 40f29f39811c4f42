// Starts a new task with the parameters of an existing one (uploaded reference images included).
import { getTaskRowOrThrow } from "./get-task-or-throw";
import { storedRequest } from "./create-task";
import { startTask } from "./start-task";
import type { QuotaOverride } from "../usage/budget";

export async function rerunTask(where: { id: string; userId: string }, quota?: QuotaOverride) {
  const old = await getTaskRowOrThrow(where);
  return startTask(await storedRequest(old), { userId: where.userId, source: "web", quota });
}
