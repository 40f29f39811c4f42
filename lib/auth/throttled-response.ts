// next-auth answers a refused credentials sign-in with 401 and the error code
// inside its JSON; a throttled one becomes 429 with Retry-After, as elsewhere.
import { retryAfterOf } from "./sign-in-errors";

export async function withThrottleStatus(res: Response): Promise<Response> {
  if (res.status !== 401 || !res.headers.get("content-type")?.includes("application/json")) return res;
  const text = await res.text();
  let wait: number | null = null;
  try {
    const url = (JSON.parse(text) as { url?: unknown }).url;
    if (typeof url === "string") wait = retryAfterOf(new URL(url, "http://x").searchParams.get("error"));
  } catch {
    // Not next-auth's shape: passed on unchanged.
  }
  const headers = new Headers(res.headers);
  if (wait !== null) headers.set("Retry-After", String(wait));
  return new Response(text, { status: wait !== null ? 429 : res.status, headers });
}
