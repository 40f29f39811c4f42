import type { Account } from "next-auth";
import { expect, it } from "vitest";
import { linkOAuthUser } from "@/lib/auth/link-oauth-user";
import { describeEachDb } from "../helpers/db";

let seq = 0;
const account = (provider = "google"): Account => ({ provider, type: "oauth", providerAccountId: `pa-${++seq}`, scope: "openid email", token_type: "bearer" });
const signIn = (email: string | null, emailVerified: boolean, acc = account()) => ({ email, emailVerified, name: "N", image: null, account: acc });

describeEachDb("linkOAuthUser", (ctx) => {
  const counts = async () => ({ users: await ctx.db.user.count(), accounts: await ctx.db.account.count() });

  it("creates an account for a new verified email, and finds it by the provider identity next time", async () => {
    const acc = account("github");
    const first = await linkOAuthUser(signIn("New@Example.com", true, acc));
    expect(first.ok).toBe(true);
    const user = await ctx.db.user.findUniqueOrThrow({ where: { email: "new@example.com" }, include: { accounts: true } });
    expect(first).toEqual({ ok: true, userId: user.id });
    expect(user.passwordHash).toBeNull();
    expect(user.accounts.map((a) => [a.provider, a.providerAccountId])).toEqual([["github", acc.providerAccountId]]);
    // Already linked: the same user, even if the provider no longer vouches for the email.
    expect(await linkOAuthUser(signIn("changed@example.com", false, acc))).toEqual({ ok: true, userId: user.id });
  });

  it("refuses a new unverified email and writes nothing", async () => {
    const before = await counts();
    expect(await linkOAuthUser(signIn("squat@example.com", false))).toEqual({ ok: false, error: "OAuthEmailUnverified" });
    expect(await counts()).toEqual(before);
  });

  it("refuses a sign-in without an email", async () => {
    expect(await linkOAuthUser(signIn(null, true))).toEqual({ ok: false, error: "OAuthNoEmail" });
  });

  it("never joins a password account, verified or not, and writes nothing", async () => {
    await ctx.db.user.create({ data: { email: "victim@example.com", passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$x$y" } });
    const before = await counts();
    expect(await linkOAuthUser(signIn("victim@example.com", true))).toEqual({ ok: false, error: "OAuthAccountNotLinked" });
    expect(await linkOAuthUser(signIn("VICTIM@example.com", false))).toEqual({ ok: false, error: "OAuthEmailUnverified" });
    expect(await counts()).toEqual(before);
  });

  it("joins an account without a password when the provider verified the email", async () => {
    const first = await linkOAuthUser(signIn("both@example.com", true, account("google")));
    const gh = account("github");
    const second = await linkOAuthUser(signIn("both@example.com", true, gh));
    expect(second).toEqual(first);
    expect(await ctx.db.account.count({ where: { userId: (first as { userId: string }).userId } })).toBe(2);
  });

  it("refuses to join an account without a password when the email is unverified", async () => {
    await linkOAuthUser(signIn("oauth-only@example.com", true, account("google")));
    const before = await counts();
    expect(await linkOAuthUser(signIn("oauth-only@example.com", false, account("github")))).toEqual({ ok: false, error: "OAuthEmailUnverified" });
    expect(await counts()).toEqual(before);
  });

  it("settles four first sign-ins of one identity at once on one user and one link", async () => {
    const acc = account("google");
    // Losers may lose twice: once creating the user, then creating the link.
    const [a, ...rest] = await Promise.all([0, 1, 2, 3].map(() => linkOAuthUser(signIn("race@example.com", true, acc))));
    expect(a.ok).toBe(true);
    for (const r of rest) expect(r).toEqual(a);
    expect(await ctx.db.account.count({ where: { providerAccountId: acc.providerAccountId } })).toBe(1);
  });
});
