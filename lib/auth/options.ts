// next-auth configuration: email + password always; GitHub and Google when
// their credentials are configured. Sessions are signed JWT cookies.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import GoogleProvider from "next-auth/providers/google";
import { getConfig } from "../config";
import { clientIp } from "../http/client-ip";
import { authenticate } from "./authenticate";
import { githubUserinfo } from "./github-emails";
import { authRequestCookies, decideOAuthSignIn, requestIntentCleared } from "./oauth-sign-in";
import { safeCallbackPath } from "./safe-callback-path";
import { getAuthSecret } from "./secret";
import { decodeSessionJwt, encodeSessionJwt } from "./session-jwt";
import { currentSessionVersion } from "./session-user";
import { SESSION_MAX_AGE_SECONDS } from "./session-version";

let options: NextAuthOptions | undefined;

export function getAuthOptions(): NextAuthOptions {
  if (options) return options;
  const config = getConfig();
  // next-auth v4 reads its own origin from this variable only.
  process.env.NEXTAUTH_URL ??= config.PUBLIC_URL;
  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      name: "Email",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      authorize: (credentials, req) => authenticate(credentials, clientIp(req?.headers ?? {})),
    }),
  ];
  if (config.AUTH_GITHUB_ID && config.AUTH_GITHUB_SECRET) {
    providers.push(GitHubProvider({ clientId: config.AUTH_GITHUB_ID, clientSecret: config.AUTH_GITHUB_SECRET, userinfo: githubUserinfo }));
  }
  if (config.AUTH_GOOGLE_ID && config.AUTH_GOOGLE_SECRET) {
    providers.push(GoogleProvider({ clientId: config.AUTH_GOOGLE_ID, clientSecret: config.AUTH_GOOGLE_SECRET }));
  }
  options = {
    secret: getAuthSecret(),
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    jwt: { encode: encodeSessionJwt, decode: decodeSessionJwt },
    pages: { signIn: "/signin", error: "/signin" },
    providers,
    callbacks: {
      async signIn({ account, profile, user }) {
        if (account?.type !== "oauth") return true;
        // Google's OpenID claim, or the flag githubUserinfo sets from GitHub's verified primary address.
        const emailVerified = (profile as { email_verified?: unknown } | undefined)?.email_verified === true;
        const decision = await decideOAuthSignIn({
          cookies: authRequestCookies(),
          email: profile?.email ?? user.email ?? null,
          emailVerified,
          name: user.name ?? null,
          image: user.image ?? null,
          account,
        });
        if (decision.clearIntent) requestIntentCleared();
        // A link (or a refused one) ends at its page, leaving the current session as it is.
        if ("redirect" in decision) return decision.redirect;
        user.id = decision.signIn;
        return true;
      },
      // Every redirect after sign-in or sign-out stays on this origin, on a checked path.
      redirect({ url, baseUrl }) {
        const origin = new URL(baseUrl).origin;
        let path = url;
        if (!url.startsWith("/")) {
          try {
            const parsed = new URL(url);
            path = parsed.origin === origin ? parsed.pathname + parsed.search + parsed.hash : "/";
          } catch {
            path = "/";
          }
        }
        return origin + safeCallbackPath(path);
      },
      // At sign-in only (user is set): the token takes the user's current session version.
      async jwt({ token, user }) {
        if (user) {
          token.sub = user.id;
          token.sv = await currentSessionVersion(user.id);
        }
        return token;
      },
      session({ session, token }) {
        if (session.user && token.sub) Object.assign(session.user, { id: token.sub, sv: token.sv });
        return session;
      },
    },
  };
  return options;
}

export function enabledOAuthProviders(): { id: "github" | "google"; name: string }[] {
  const c = getConfig();
  return [...(c.AUTH_GITHUB_ID ? [{ id: "github" as const, name: "GitHub" }] : []), ...(c.AUTH_GOOGLE_ID ? [{ id: "google" as const, name: "Google" }] : [])];
}
