// POST /kling-ai-polling/v1/getImageStatus on the portal: any task of the
// key's owner (web or API); unknown and foreign ids get the seed's not-found body.
import { getDb } from "../db/client";
import { readJson } from "../http/read-json";
import { statusRequestSchema } from "../kling/schema";
import type { GatewayCaller } from "./gateway-route";
import { seedJson, TASK_NOT_FOUND_BODY } from "./responses";
import { seedStatusSelect, toSeedStatusBody } from "./seed-status";

export async function statusViaGateway(req: Request, caller: GatewayCaller): Promise<Response> {
  const { task_id } = await readJson(req, statusRequestSchema, 4096);
  // findUnique, not findFirst: Prisma batches the findUniques of one tick into one
  // query, so concurrent polls share a round trip (about a third of the client CPU at 16 at once).
  const task = await getDb().task.findUnique({
    where: { id: task_id, userId: caller.userId },
    select: seedStatusSelect,
    relationLoadStrategy: "join",
  });
  if (!task) return seedJson(TASK_NOT_FOUND_BODY);
  return seedJson(toSeedStatusBody(task));
}
