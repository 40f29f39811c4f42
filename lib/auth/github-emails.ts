// GitHub's userinfo with a verified email: next-auth's GitHub provider takes the
// public email or the primary one without asking whether GitHub verified it;
// linking decisions need that answer, so it comes from /user/emails every time.
import type { OAuthConfig } from "next-auth/providers/oauth";

type GitHubEmail = { email: string; primary: boolean; verified: boolean };

/** The primary address when GitHub verified it, else null. */
export function verifiedPrimaryEmail(emails: unknown): string | null {
  if (!Array.isArray(emails)) return null;
  const primary = (emails as GitHubEmail[]).find((e) => e && e.primary === true && e.verified === true && typeof e.email === "string");
  return primary?.email ?? null;
}

export const githubUserinfo: OAuthConfig<Record<string, unknown>>["userinfo"] = {
  url: "https://api.github.com/user",
  async request({ client, tokens }) {
    const profile = await client.userinfo(tokens.access_token!);
    const res = await fetch("https://api.github.com/user/emails", {
      headers: { Authorization: `token ${tokens.access_token}`, Accept: "application/vnd.github+json", "User-Agent": "kling-portal" },
    });
    const email = res.ok ? verifiedPrimaryEmail(await res.json()) : null;
    // Without a verified primary address the profile keeps GitHub's email, flagged unverified.
    return { ...profile, email: email ?? profile.email ?? undefined, email_verified: email !== null };
  },
};
