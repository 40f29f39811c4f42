// GET /api/tasks/events: the signed-in user's task changes as server-sent events.
import { userRoute } from "@/lib/http/route";
import { parseCursor, taskEventStream } from "@/lib/tasks/task-stream";

export const dynamic = "force-dynamic";

export const GET = userRoute(async (req, { user }) => {
  const since = parseCursor(req.headers.get("last-event-id")) ?? parseCursor(new URL(req.url).searchParams.get("since"));
  return taskEventStream(user.id, { since, signal: req.signal });
});
