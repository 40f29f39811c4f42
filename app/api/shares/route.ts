// POST /api/shares: a public link to a task's image (or all of them). GET /api/shares: the user's links.
import { readJson } from "@/lib/http/read-json";
import { userRoute } from "@/lib/http/route";
import { createShareSchema } from "@/lib/shares/schema";
import { createShare, listShares } from "@/lib/shares/shares";

export const POST = userRoute(async (req, { user }) => Response.json(await createShare(user.id, await readJson(req, createShareSchema)), { status: 201 }));

export const GET = userRoute(async (_req, { user }) => Response.json({ shares: await listShares(user.id) }, { headers: { "Cache-Control": "no-store" } }));
