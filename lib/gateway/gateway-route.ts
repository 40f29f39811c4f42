// Wraps the seed-compatible endpoints: key authentication with the per-key
// rate limit (one statement: key-admission.ts), and the seed's error bodies for
// every failure (never a stack trace).
import type { KeyAuth } from "../api-keys/authenticate-api-key";
import { ApiError, clientClosedResponse } from "../http/errors";
import type { QuotaOverride } from "../usage/budget";
import { logger } from "../log";
import { noteRequestUser } from "../ops/request-context";
import { admitKey } from "./key-admission";
import { gatewayBudget, type GatewayAction } from "./rate-limit";
import { seedError } from "./responses";

export type GatewayCaller = { keyId: string; userId: string; quota?: QuotaOverride };

export function gatewayRoute(action: GatewayAction, handler: (req: Request, caller: GatewayCaller) => Promise<Response>) {
  return (req: Request): Promise<Response> =>
    seedErrors(req, async () => {
      const { auth, wait } = await admitKey(req.headers.get("ocp-apim-subscription-key"), gatewayBudget(action));
      return admitted(auth, wait, (caller) => handler(req, caller));
    });
}

/** The key check's and the budget's answer (401, 403, 429 with Retry-After), or the handler's for an admitted caller. */
export function admitted(auth: KeyAuth, wait: number | null, handler: (caller: GatewayCaller) => Promise<Response>): Promise<Response> | Response {
  if (!auth.ok) return seedError(auth.status);
  noteRequestUser(auth.userId, auth.keyId);
  if (wait !== null) return seedError(429, { retryAfterSeconds: wait });
  return handler({ keyId: auth.keyId, userId: auth.userId, quota: auth.quota });
}

/** Input errors as the seed's 400 (with the portal's detail), anything unexpected as its bare 500. */
export async function seedErrors(req: Request, run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (err) {
    // The caller left mid-request (lib/http/route.ts does the same for the portal's own routes).
    if (req.signal?.aborted) return clientClosedResponse(err);
    if (err instanceof ApiError && err.status < 500) {
      // 403: over the image budget, the seed's body with the portal's reason (images left, renewal) as detail.
      return seedError(err.status === 403 || err.status === 404 || err.status === 422 ? err.status : 400, { detail: err.message });
    }
    logger.error({ err }, "gateway request failed");
    return seedError(500);
  }
}
