// GET /api/tasks/events: the signed-in user's task changes as server-sent events.
import { userRoute } from "@/lib/http/route";
import { parseCursor, parseSince, taskEventStream } from "@/lib/tasks/task-stream";

export const dynamic = "force-dynamic";

export const GET = userRoute(async (req, { user }) => {
  // A browser's reconnect sends the last event's id; an unreadable one falls back to ?since=.
  const since = parseCursor(req.headers.get("last-event-id")) ?? parseSince(new URL(req.url).searchParams.get("since"));
  return taskEventStream(user.id, { since, signal: req.signal });
});
