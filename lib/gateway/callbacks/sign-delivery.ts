// Standard Webhooks headers for one attempt of a caller notification:
// webhook-id stays the same across retries (receivers deduplicate on it),
// webhook-timestamp is this attempt's, and webhook-signature is v1 HMAC-SHA256
// of "id.timestamp.body" under the key's current signing secret.
import { Webhook } from "standardwebhooks";
import { loadSigningSecret } from "../../api-keys/signing-secret";

export type SignedMessage = { body: string; headers: Record<string, string> };

export const webhookIdOf = (deliveryId: string) => `msg_${deliveryId}`;

export async function signDelivery(d: { id: string; apiKeyId: string | null; body: unknown }, now = new Date()): Promise<SignedMessage> {
  const body = JSON.stringify(d.body);
  const id = webhookIdOf(d.id);
  const headers: Record<string, string> = { "webhook-id": id, "webhook-timestamp": String(Math.floor(now.getTime() / 1000)) };
  // Keys made before signing existed have no secret until rotated: their notifications go out unsigned.
  const secret = d.apiKeyId ? await loadSigningSecret(d.apiKeyId) : null;
  if (secret) headers["webhook-signature"] = new Webhook(secret).sign(id, now, body);
  return { body, headers };
}
