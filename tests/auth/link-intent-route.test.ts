// POST /api/account/link-intent. The session is stubbed (getServerSession needs a
// Next.js request scope); userRoute's CSRF check and the handler run for real.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { POST } from "@/app/api/account/link-intent/route";
import { LINK_INTENT_COOKIE, verifyLinkIntent } from "@/lib/auth/link-intent";
import { requireApiUser } from "@/lib/auth/session";
import { resetConfig } from "@/lib/config";
import { unauthorized } from "@/lib/http/errors";

vi.mock("@/lib/auth/session", () => ({ requireApiUser: vi.fn(), getSessionUser: vi.fn(), requireUser: vi.fn() }));

const env = process.env as Record<string, string | undefined>;
const saved = { ...env };
const user = { id: "user-42", email: "u@example.com", name: null, isAdmin: false, hasPassword: true };

const post = (body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) =>
  POST(
    new Request("http://localhost:3000/api/account/link-intent", { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers }),
    {
      params: Promise.resolve({}),
    },
  );

beforeEach(() => {
  Object.assign(env, { AUTH_GITHUB_ID: "gh", AUTH_GITHUB_SECRET: "ghs" });
  delete env.AUTH_GOOGLE_ID;
  delete env.AUTH_GOOGLE_SECRET;
  resetConfig();
  vi.mocked(requireApiUser).mockResolvedValue(user);
});
afterEach(() => {
  for (const k of Object.keys(env)) if (!(k in saved)) delete env[k];
  Object.assign(env, saved);
  resetConfig();
});

describe("POST /api/account/link-intent", () => {
  it("answers 401 without a session and sets no cookie", async () => {
    vi.mocked(requireApiUser).mockRejectedValue(unauthorized());
    const res = await post({ provider: "github" });
    expect(res.status).toBe(401);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("answers 400 for an unknown provider and for one that is not configured", async () => {
    for (const provider of ["gitlab", "google", "credentials", ""]) {
      const res = await post({ provider });
      expect(res.status, provider).toBe(400);
      expect((await res.json()).error.fields.provider).toMatch(/configured for: github/);
      expect(res.headers.get("set-cookie")).toBeNull();
    }
    expect((await post({})).status).toBe(400);
    expect((await post({ provider: "github", extra: 1 })).status).toBe(400);
  });

  it("refuses a cross-site form post (CSRF) before anything else", async () => {
    const res = await post("provider=github", { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("sets a signed, httpOnly, SameSite=Lax, 10-minute intent for the user and provider", async () => {
    const res = await post({ provider: "github" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ provider: "github", expiresInSeconds: 600 });
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(new RegExp(`^${LINK_INTENT_COOKIE.replace(".", "\\.")}=[^;]+; Max-Age=600; Path=/; HttpOnly; SameSite=Lax$`));
    const value = cookie.split(";")[0].split("=")[1];
    const check = verifyLinkIntent(value);
    expect(check).toMatchObject({ ok: true, intent: { userId: "user-42", provider: "github" } });
  });

  it("marks the cookie Secure when the portal is served over https, and accepts Google once configured", async () => {
    Object.assign(env, { PUBLIC_URL: "https://portal.example", AUTH_GOOGLE_ID: "go", AUTH_GOOGLE_SECRET: "gos" });
    const savedNextAuthUrl = env.NEXTAUTH_URL;
    delete env.NEXTAUTH_URL;
    resetConfig();
    try {
      const res = await post({ provider: "google" }, { "content-type": "application/json", origin: "https://portal.example" });
      expect(res.status).toBe(200);
      expect(res.headers.get("set-cookie")).toMatch(/; Secure$/);
    } finally {
      if (savedNextAuthUrl !== undefined) env.NEXTAUTH_URL = savedNextAuthUrl;
    }
  });
});
