// GET /api/openapi.json: the API description, public so tools can read it.
import { getConfig } from "@/lib/config";
import { route } from "@/lib/http/route";
import { buildOpenApiDocument } from "@/lib/openapi/document";

export const GET = route(async () => Response.json(buildOpenApiDocument(getConfig().PUBLIC_URL), { headers: { "Cache-Control": "public, max-age=300" } }));
