// One way for the pages to call the portal's JSON API: the answer, or the
// server's message in words a person can act on.
export type ApiResult<T> = { ok: true; data: T } | { ok: false; status: number; message: string };

export async function apiRequest<T = unknown>(method: string, url: string, body?: unknown, init: RequestInit = {}): Promise<ApiResult<T>> {
  try {
    const res = await fetch(url, {
      method,
      ...init,
      headers: { "Content-Type": "application/json", ...init.headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = res.status === 204 ? null : await res.json().catch(() => null);
    if (res.ok) return { ok: true, data: json as T };
    return { ok: false, status: res.status, message: json?.error?.message ?? `The portal answered HTTP ${res.status}.` };
  } catch {
    return { ok: false, status: 0, message: "The portal could not be reached. Check your connection and try again." };
  }
}
