// Signs a user in over HTTP the way a browser does (next-auth credentials
// flow with its CSRF token) and returns the cookies to send.
export type Session = { cookie: string; email: string; fetch(path: string, init?: RequestInit): Promise<Response> };

function collect(jar: Map<string, string>, res: Response) {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(";");
    const i = pair.indexOf("=");
    jar.set(pair.slice(0, i), pair.slice(i + 1));
  }
}

const header = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

export async function signUp(base: string, email: string, password = "correct horse battery"): Promise<Session> {
  const res = await fetch(`${base}/api/signup`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email, password }) });
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  return signIn(base, email, password);
}

export async function signIn(base: string, email: string, password: string): Promise<Session> {
  const jar = new Map<string, string>();
  const csrfRes = await fetch(`${base}/api/auth/csrf`);
  collect(jar, csrfRes);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: header(jar) },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
    redirect: "manual",
  });
  collect(jar, res);
  if (![...jar.keys()].some((k) => k.includes("session-token"))) throw new Error(`sign-in failed for ${email}: ${res.status}`);
  const cookie = header(jar);
  return {
    cookie,
    email,
    fetch: (p, init = {}) => fetch(`${base}${p}`, { ...init, headers: { ...(init.headers as Record<string, string>), Cookie: cookie }, redirect: "manual" }),
  };
}
