// POST /api/account/link-intent {"provider":"github"|"google"}: the signed-in user
// is about to link that provider. Sets a signed 10-minute cookie the OAuth
// callback checks together with the session; the page then starts signIn(provider).
import { z } from "zod";
import { LINK_INTENT_TTL_SECONDS, linkIntentSetCookie, signLinkIntent } from "@/lib/auth/link-intent";
import { secureCookies } from "@/lib/auth/oauth-sign-in";
import { enabledOAuthProviders } from "@/lib/auth/options";
import { ApiError } from "@/lib/http/errors";
import { readJson } from "@/lib/http/read-json";
import { userRoute } from "@/lib/http/route";

const schema = z.strictObject({ provider: z.string().max(32) });

export const POST = userRoute(async (req, { user }) => {
  const { provider } = await readJson(req, schema, 1024);
  const enabled = enabledOAuthProviders().find((p) => p.id === provider);
  if (!enabled) {
    const offered = enabledOAuthProviders()
      .map((p) => p.id)
      .join(", ");
    const message = offered ? `provider must be one this portal is configured for: ${offered}` : "No GitHub or Google sign-in is configured on this portal";
    throw new ApiError(400, "invalid_request", message, { provider: message });
  }
  return Response.json(
    { provider: enabled.id, expiresInSeconds: LINK_INTENT_TTL_SECONDS },
    { headers: { "Cache-Control": "no-store", "Set-Cookie": linkIntentSetCookie(signLinkIntent(user.id, enabled.id), secureCookies()) } },
  );
});
