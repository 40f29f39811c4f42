// next-auth configuration: email + password always; GitHub and Google when
// their credentials are configured. Sessions are signed JWT cookies.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import GoogleProvider from "next-auth/providers/google";
import { getConfig } from "../config";
import { authenticate } from "./authenticate";
import { linkOAuthUser } from "./link-oauth-user";
import { getAuthSecret } from "./secret";

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
      authorize: (credentials) => authenticate(credentials),
    }),
  ];
  if (config.AUTH_GITHUB_ID && config.AUTH_GITHUB_SECRET) {
    providers.push(GitHubProvider({ clientId: config.AUTH_GITHUB_ID, clientSecret: config.AUTH_GITHUB_SECRET }));
  }
  if (config.AUTH_GOOGLE_ID && config.AUTH_GOOGLE_SECRET) {
    providers.push(GoogleProvider({ clientId: config.AUTH_GOOGLE_ID, clientSecret: config.AUTH_GOOGLE_SECRET }));
  }
  options = {
    secret: getAuthSecret(),
    session: { strategy: "jwt", maxAge: 30 * 24 * 3600 },
    pages: { signIn: "/signin", error: "/signin" },
    providers,
    callbacks: {
      async signIn({ account, profile, user }) {
        if (!account || account.type !== "oauth") return true;
        const email = (profile?.email ?? user.email)?.toLowerCase();
        if (!email) return "/signin?error=OAuthNoEmail";
        user.id = await linkOAuthUser({ email, name: user.name ?? null, image: user.image ?? null, account });
        return true;
      },
      jwt({ token, user }) {
        if (user) token.sub = user.id;
        return token;
      },
      session({ session, token }) {
        if (session.user && token.sub) (session.user as { id?: string }).id = token.sub;
        return session;
      },
    },
  };
  return options;
}

export function enabledOAuthProviders(): { id: "github" | "google"; name: string }[] {
  const c = getConfig();
  return [
    ...(c.AUTH_GITHUB_ID ? [{ id: "github" as const, name: "GitHub" }] : []),
    ...(c.AUTH_GOOGLE_ID ? [{ id: "google" as const, name: "Google" }] : []),
  ];
}
