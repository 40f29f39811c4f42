// Wraps the seed-compatible endpoints: key authentication, per-key rate
// limits, and the seed's error bodies for every failure (never a stack trace).
import { authenticateApiKey } from "../api-keys/authenticate-api-key";
import { ApiError } from "../http/errors";
import type { QuotaOverride } from "../usage/budget";
import { logger } from "../log";
import { noteRequestUser } from "../ops/request-context";
import { consumeRateLimit, type GatewayAction } from "./rate-limit";
import { seedError } from "./responses";

export type GatewayCaller = { keyId: string; userId: string; quota?: QuotaOverride };

export function gatewayRoute(action: GatewayAction, handler: (req: Request, caller: GatewayCaller) => Promise<Response>) {
  return async (req: Request): Promise<Response> => {
    try {
      const auth = await authenticateApiKey(req.headers.get("ocp-apim-subscription-key"));
      if (!auth.ok) return seedError(auth.status);
      noteRequestUser(auth.userId, auth.keyId);
      const wait = await consumeRateLimit(action, auth.keyId);
      if (wait !== null) return seedError(429, { retryAfterSeconds: wait });
      return await handler(req, { keyId: auth.keyId, userId: auth.userId, quota: auth.quota });
    } catch (err) {
      if (err instanceof ApiError && err.status < 500) {
        // 403: over the image budget, the seed's body with the portal's reason (images left, renewal) as detail.
        return seedError(err.status === 403 || err.status === 404 || err.status === 422 ? err.status : 400, { detail: err.message });
      }
      logger.error({ err }, "gateway request failed");
      return seedError(500);
    }
  };
}
