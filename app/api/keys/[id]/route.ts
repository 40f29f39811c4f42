// DELETE /api/keys/<id>: revoke one of the user's keys.
import { revokeApiKey } from "@/lib/api-keys/create-api-key";
import { notFound } from "@/lib/http/errors";
import { userRoute } from "@/lib/http/route";

export const DELETE = userRoute<{ id: string }>(async (_req, { params, user }) => {
  if (!(await revokeApiKey(user.id, params.id))) throw notFound("API key not found");
  return new Response(null, { status: 204 });
});
