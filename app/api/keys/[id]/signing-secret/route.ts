// POST /api/keys/<id>/signing-secret: a new webhook signing secret for one of the user's keys (in this answer only).
import { rotateSigningSecret } from "@/lib/api-keys/signing-secret";
import { userRoute } from "@/lib/http/route";

export const POST = userRoute<{ id: string }>(async (_req, { params, user }) =>
  Response.json(await rotateSigningSecret(user.id, params.id), { status: 201, headers: { "Cache-Control": "no-store" } }),
);
