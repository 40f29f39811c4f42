// The OAuth callback's decision with a link-intent cookie, against real databases,
// with real session JWTs (next-auth's encode) and real signed intents.
import type { Account } from "next-auth";
import { encode } from "next-auth/jwt";
import { expect, it } from "vitest";
import { LINK_INTENT_COOKIE, signLinkIntent } from "@/lib/auth/link-intent";
import { decideOAuthSignIn, secureCookies } from "@/lib/auth/oauth-sign-in";
import { getAuthSecret } from "@/lib/auth/secret";
import { describeEachDb } from "../helpers/db";

let seq = 0;
const account = (provider = "github"): Account => ({ provider, type: "oauth", providerAccountId: `lk-${++seq}`, scope: "read:user", token_type: "bearer" });
const sessionCookie = () => (secureCookies() ? "__Secure-next-auth.session-token" : "next-auth.session-token");
const session = async (userId: string) => ({ [sessionCookie()]: await encode({ token: { sub: userId }, secret: getAuthSecret() }) });
const intent = (userId: string, provider: "github" | "google" = "github", at = Date.now()) => ({ [LINK_INTENT_COOKIE]: signLinkIntent(userId, provider, at) });
const HASH = "$argon2id$v=19$m=19456,t=2,p=1$x$y";

describeEachDb("OAuth sign-in with a link intent", (ctx) => {
  let n = 0;
  const passwordUser = () => ctx.db.user.create({ data: { email: `pw-${++n}@example.com`, passwordHash: HASH }, select: { id: true, email: true } });
  const decide = (cookies: Record<string, string>, acc: Account, email: string | null = "someone-else@example.com", emailVerified = false) =>
    decideOAuthSignIn({ cookies, account: acc, email, emailVerified, name: "N", image: null });
  const links = (providerAccountId: string) => ctx.db.account.findMany({ where: { providerAccountId }, select: { userId: true, provider: true } });

  it("links the provider account to the signed-in user who asked, whatever its email, and clears the intent", async () => {
    const user = await passwordUser();
    const acc = account("github");
    // The provider's email is someone else's and unverified: the session, not the email, decides.
    const decision = await decide({ ...(await session(user.id)), ...intent(user.id) }, acc);
    expect(decision).toEqual({ redirect: "/settings/account?linked=github", clearIntent: true });
    expect(await links(acc.providerAccountId)).toEqual([{ userId: user.id, provider: "github" }]);
    // Afterwards the plain sign-in (no intent) finds the link and signs in as that user.
    expect(await decide({}, acc, null)).toEqual({ signIn: user.id, clearIntent: false });
    // Linking again to the same user is fine and writes nothing new.
    expect(await decide({ ...(await session(user.id)), ...intent(user.id) }, acc)).toEqual({ redirect: "/settings/account?linked=github", clearIntent: true });
    expect(await links(acc.providerAccountId)).toHaveLength(1);
  });

  it("links to an account whose email the provider also verified, without creating another user", async () => {
    const user = await passwordUser();
    const users = await ctx.db.user.count();
    const acc = account("google");
    expect(await decide({ ...(await session(user.id)), ...intent(user.id, "google") }, acc, user.email, true)).toEqual({
      redirect: "/settings/account?linked=google",
      clearIntent: true,
    });
    expect(await ctx.db.user.count()).toBe(users);
    expect(await links(acc.providerAccountId)).toEqual([{ userId: user.id, provider: "google" }]);
  });

  it("refuses an intent without a session, and writes nothing", async () => {
    const user = await passwordUser();
    const acc = account();
    expect(await decide(intent(user.id), acc)).toEqual({ redirect: "/signin?error=LinkNoSession", clearIntent: true });
    expect(await links(acc.providerAccountId)).toEqual([]);
  });

  it("refuses an intent whose session is another user's, or a forged or deleted user's", async () => {
    const asker = await passwordUser();
    const other = await passwordUser();
    const gone = await passwordUser();
    await ctx.db.user.delete({ where: { id: gone.id } });
    const acc = account();
    expect(await decide({ ...(await session(other.id)), ...intent(asker.id) }, acc)).toEqual({ redirect: "/signin?error=LinkNoSession", clearIntent: true });
    expect(await decide({ [sessionCookie()]: "forged", ...intent(asker.id) }, acc)).toEqual({ redirect: "/signin?error=LinkNoSession", clearIntent: true });
    expect(await decide({ ...(await session(gone.id)), ...intent(gone.id) }, acc)).toEqual({ redirect: "/signin?error=LinkNoSession", clearIntent: true });
    expect(await links(acc.providerAccountId)).toEqual([]);
  });

  it("refuses an expired intent", async () => {
    const user = await passwordUser();
    const acc = account();
    const cookies = { ...(await session(user.id)), ...intent(user.id, "github", Date.now() - 10 * 60_000 - 1) };
    expect(await decide(cookies, acc)).toEqual({ redirect: "/settings/account?error=LinkIntentExpired", clearIntent: true });
    expect(await links(acc.providerAccountId)).toEqual([]);
  });

  it("refuses a tampered intent", async () => {
    const user = await passwordUser();
    const acc = account();
    const value = signLinkIntent(user.id, "github");
    const cookies = { ...(await session(user.id)), [LINK_INTENT_COOKIE]: value.slice(0, -2) + (value.endsWith("AA") ? "BB" : "AA") };
    expect(await decide(cookies, acc)).toEqual({ redirect: "/settings/account?error=LinkIntentInvalid", clearIntent: true });
    expect(await links(acc.providerAccountId)).toEqual([]);
  });

  it("refuses an intent for another provider", async () => {
    const user = await passwordUser();
    const acc = account("google");
    expect(await decide({ ...(await session(user.id)), ...intent(user.id, "github") }, acc)).toEqual({
      redirect: "/settings/account?error=LinkWrongProvider",
      clearIntent: true,
    });
    expect(await links(acc.providerAccountId)).toEqual([]);
  });

  it("refuses a provider account already linked to a different user, and leaves that link alone", async () => {
    const owner = await passwordUser();
    const asker = await passwordUser();
    const acc = account();
    await decide({ ...(await session(owner.id)), ...intent(owner.id) }, acc);
    expect(await decide({ ...(await session(asker.id)), ...intent(asker.id) }, acc)).toEqual({
      redirect: "/settings/account?error=OAuthLinkedElsewhere",
      clearIntent: true,
    });
    expect(await links(acc.providerAccountId)).toEqual([{ userId: owner.id, provider: "github" }]);
  });

  it("without an intent keeps the old rules: a password account is not joined, even with a session, and the message names the provider", async () => {
    const user = await passwordUser();
    const acc = account("google");
    expect(await decide(await session(user.id), acc, user.email, true)).toEqual({ redirect: "/signin?error=OAuthAccountNotLinked:google", clearIntent: false });
    expect(await links(acc.providerAccountId)).toEqual([]);
    const fresh = await decide({}, account("github"), `new-${++n}@example.com`, true);
    expect(fresh).toMatchObject({ signIn: expect.any(String), clearIntent: false });
    expect(await decide({}, account(), `unverified-${++n}@example.com`, false)).toEqual({ redirect: "/signin?error=OAuthEmailUnverified", clearIntent: false });
  });

  it("gives a disabled account no new session through GitHub or Google, and refuses linking from a session it no longer has", async () => {
    const acc = account("github");
    const fresh = await decide({}, acc, `off-${++n}@example.com`, true);
    if (!("signIn" in fresh)) throw new Error("expected a sign-in");
    await ctx.db.user.update({ where: { id: fresh.signIn }, data: { disabledAt: new Date(), sessionVersion: { increment: 1 } } });
    expect(await decide({}, acc, null)).toEqual({ redirect: "/signin?error=AccountDisabled", clearIntent: false });
    // Its old session (version 0) no longer stands, so a link intent finds no session.
    expect(await decide({ ...(await session(fresh.signIn)), ...intent(fresh.signIn, "google") }, account("google"))).toEqual({
      redirect: "/signin?error=LinkNoSession",
      clearIntent: true,
    });
  });
});
