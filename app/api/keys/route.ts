// GET /api/keys: the user's API keys. POST /api/keys: create one (the key is in this answer only).
import { createApiKey, createApiKeySchema, listApiKeys } from "@/lib/api-keys/create-api-key";
import { readJson } from "@/lib/http/read-json";
import { userRoute } from "@/lib/http/route";

export const GET = userRoute(async (_req, { user }) => Response.json({ keys: await listApiKeys(user.id) }, { headers: { "Cache-Control": "no-store" } }));

export const POST = userRoute(async (req, { user }) => {
  const { name } = await readJson(req, createApiKeySchema, 4096);
  return Response.json(await createApiKey(user.id, name), { status: 201, headers: { "Cache-Control": "no-store" } });
});
