// POST /kling-ai-image/v1/getImageTask on the portal: the seed's request,
// stored in the caller's history as an API task and sent upstream.
import { getConfig } from "../config";
import { ApiError } from "../http/errors";
import { readIdempotencyKey } from "../http/idempotency-key";
import { readJson } from "../http/read-json";
import { klingImageRequestSchema } from "../kling/schema";
import { startTask } from "../tasks/start-task";
import type { GatewayCaller } from "./gateway-route";
import { isObviouslyPrivateHost } from "./public-address";
import { seedJson } from "./responses";
import { toSeedSubmitBody } from "./seed-status";

const MAX_BODY_BYTES = 14 * 1024 * 1024;

export async function submitViaGateway(req: Request, caller: GatewayCaller): Promise<Response> {
  const idempotencyKey = readIdempotencyKey(req);
  const input = await readJson(req, klingImageRequestSchema, MAX_BODY_BYTES);
  const { callback_url, ...request } = input;
  if (callback_url && !getConfig().CALLBACK_ALLOW_PRIVATE && isObviouslyPrivateHost(new URL(callback_url))) {
    throw new ApiError(400, "invalid_request", "callback_url: must be a public http(s) address");
  }
  const { task } = await startTask(request, {
    userId: caller.userId,
    source: "api",
    apiKeyId: caller.keyId,
    clientCallbackUrl: callback_url ?? null,
    idempotencyKey,
    quota: caller.quota,
  });
  return seedJson(toSeedSubmitBody(task));
}
