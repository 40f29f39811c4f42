// POST /kling-ai-polling/v1/getImageStatus on the portal: any task of the
// key's owner (web or API); unknown and foreign ids get the seed's not-found body.
import { readJson } from "../http/read-json";
import { statusRequestSchema } from "../kling/schema";
import { admitted, gatewayRoute, seedErrors } from "./gateway-route";
import { gatewayBudget } from "./rate-limit";
import { seedJson, TASK_NOT_FOUND_BODY } from "./responses";
import { toSeedStatusBody } from "./seed-status";
import { lookupStatus } from "./status-lookup";

export function statusViaGateway(req: Request): Promise<Response> {
  return seedErrors(req, async () => {
    const body = await readJson(req, statusRequestSchema, 4096).then(
      ({ task_id }) => ({ ok: true as const, taskId: task_id }),
      (err: unknown) => ({ ok: false as const, err }),
    );
    // A bad body is answered after the key and the budget, as on every gateway route.
    if (!body.ok) return gatewayRoute("status", () => Promise.reject(body.err))(req);
    const { auth, wait, task } = await lookupStatus(req.headers.get("ocp-apim-subscription-key"), body.taskId, gatewayBudget("status"));
    return admitted(auth, wait, async () => seedJson(task ? toSeedStatusBody(task) : TASK_NOT_FOUND_BODY));
  });
}
