// Route handlers read the session through next-auth, which needs a Next.js request
// scope; tests stand in for that one step only. The claims a test sets are then
// checked for real by sessionUserFor against the suite's database (version,
// disabled, deleted, role), exactly as getSessionUser does.
import type { SessionClaims } from "@/lib/auth/session-user";

export const sessionStub: { claims: SessionClaims | null } = { claims: null };

/** For vi.mock("@/lib/auth/session", async (importOriginal) => (await import("../helpers/session-stub")).stubbedSessionModule(importOriginal)). */
export async function stubbedSessionModule(importOriginal: <T>() => Promise<T>) {
  const real = await importOriginal<typeof import("@/lib/auth/session")>();
  const { sessionUserFor, sessionUserWith } = await import("@/lib/auth/session-user");
  const { unauthorized } = await import("@/lib/http/errors");
  const { submitterFor } = await import("@/lib/auth/session-submitter");
  const getSessionUser = () => sessionUserFor(sessionStub.claims);
  return {
    ...real,
    getSessionUser,
    requireApiUser: async () => {
      const user = await getSessionUser();
      if (!user) throw unauthorized();
      return user;
    },
    requireApiClaims: async () => {
      if (!sessionStub.claims) throw unauthorized();
      return sessionStub.claims;
    },
    requireApiSubmitter: async (claims?: SessionClaims) => submitterFor(claims ?? sessionStub.claims),
    requireApiUserWith: async (extra: Parameters<typeof real.requireApiUserWith>[0]) => {
      const found = await sessionUserWith(sessionStub.claims, extra);
      if (!found) throw unauthorized();
      return found;
    },
  };
}

/** Claims of a fresh session for a user row (the version it was signed in under). */
export const claimsOf = (user: { id: string; sessionVersion: number }): SessionClaims => ({ id: user.id, sv: user.sessionVersion });

export const jsonInit = (method: string, body?: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method,
  headers: { "content-type": "application/json", ...headers },
  ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
});
