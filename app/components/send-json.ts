// The browser side of the portal's JSON API: one request, its answer decoded,
// and an error message (with per-field messages) in words a person can act on.
export type SendResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; message: string; fields: Record<string, string> };

export async function sendJson<T = unknown>(url: string, method: string, body?: unknown): Promise<SendResult<T>> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? undefined : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, message: "Could not reach the portal. Check your connection and try again.", fields: {} };
  }
  const json = res.status === 204 ? null : await res.json().catch(() => null);
  if (res.ok) return { ok: true, status: res.status, data: json as T };
  return {
    ok: false,
    status: res.status,
    message: json?.error?.message ?? "Something went wrong. Try again.",
    fields: (json?.error?.fields as Record<string, string> | undefined) ?? {},
  };
}
