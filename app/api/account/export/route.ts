// GET /api/account/export: a ZIP of every archived image and tasks.json, streamed.
import { Readable } from "node:stream";
import { exportAccountZip, exportFileName } from "@/lib/account/export-account";
import { userRoute } from "@/lib/http/route";

export const GET = userRoute(async (_req, { user }) => {
  const body = Readable.toWeb(exportAccountZip(user.id)) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename="${exportFileName()}"`,
      "Cache-Control": "no-store",
    },
  });
});
