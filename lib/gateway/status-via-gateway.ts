// POST /kling-ai-polling/v1/getImageStatus on the portal: any task of the
// key's owner (web or API); unknown and foreign ids get the seed's not-found body.
import { getDb } from "../db/client";
import { readJson } from "../http/read-json";
import { statusRequestSchema } from "../kling/schema";
import type { GatewayCaller } from "./gateway-route";
import { seedJson, TASK_NOT_FOUND_BODY } from "./responses";
import { toSeedStatusBody } from "./seed-status";

export async function statusViaGateway(req: Request, caller: GatewayCaller): Promise<Response> {
  const { task_id } = await readJson(req, statusRequestSchema, 4096);
  const task = await getDb().task.findFirst({
    where: { id: task_id, userId: caller.userId },
    include: { images: { select: { index: true } } },
    relationLoadStrategy: "join",
  });
  if (!task) return seedJson(TASK_NOT_FOUND_BODY);
  return seedJson(toSeedStatusBody(task));
}
