// When a session still stands: the user exists, is not disabled, and has the
// version the session was issued under; and a re-issued cookie carries the new one.
import { afterEach, beforeEach, expect, it } from "vitest";
import { sessionUserFor, sessionUserWith } from "@/lib/auth/session-user";
import { Prisma } from "@/lib/db/client";
import { clearedSessionCookie, readSessionToken, reissuedSessionCookie, sessionCookieName } from "@/lib/auth/session-version";
import { resetConfig } from "@/lib/config";
import { describeEachDb } from "../helpers/db";
import { makeUser } from "../helpers/fixtures";

const env = process.env as Record<string, string | undefined>;
beforeEach(() => resetConfig());
afterEach(() => {
  delete env.ADMIN_EMAILS;
  resetConfig();
});

describeEachDb("sessions and their version", (ctx) => {
  it("stands for its user only while the version matches and the user is enabled", async () => {
    const user = await makeUser(ctx.db);
    expect(await sessionUserFor({ id: user.id, sv: 0 })).toEqual({
      id: user.id,
      email: user.email,
      name: null,
      isAdmin: false,
      hasPassword: false,
      quota: { monthlyImageQuota: null, quotaUnlimited: false },
    });
    // Tokens issued before versions existed carry none: version 0.
    expect(await sessionUserFor({ id: user.id })).not.toBeNull();
    await ctx.db.user.update({ where: { id: user.id }, data: { sessionVersion: { increment: 1 } } });
    expect(await sessionUserFor({ id: user.id, sv: 0 })).toBeNull();
    expect(await sessionUserFor({ id: user.id })).toBeNull();
    expect(await sessionUserFor({ id: user.id, sv: 1 })).not.toBeNull();
    await ctx.db.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    expect(await sessionUserFor({ id: user.id, sv: 1 })).toBeNull();
    await ctx.db.user.delete({ where: { id: user.id } });
    expect(await sessionUserFor({ id: user.id, sv: 1 })).toBeNull();
    for (const bad of [null, undefined, {}, { id: "" }, { id: 42 }, { id: "nobody", sv: 0 }]) expect(await sessionUserFor(bad as never)).toBeNull();
  });

  it("reads a route's value with the user in one statement, and hands it over only while the session stands", async () => {
    const user = await makeUser(ctx.db);
    await ctx.db.user.update({ where: { id: user.id }, data: { passwordHash: "x", monthlyImageQuota: 7 } });
    const extra = (id: string) => Prisma.sql`SELECT json_build_object('for', ${id}::text, 'n', 2)`;
    const found = await sessionUserWith({ id: user.id, sv: 0 }, extra);
    expect(found).toEqual({ user: await sessionUserFor({ id: user.id, sv: 0 }), extra: { for: user.id, n: 2 } });
    expect(found!.user).toMatchObject({ hasPassword: true, quota: { monthlyImageQuota: 7, quotaUnlimited: false } });
    await ctx.db.user.update({ where: { id: user.id }, data: { sessionVersion: { increment: 1 } } });
    expect(await sessionUserWith({ id: user.id, sv: 0 }, extra)).toBeNull();
    await ctx.db.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    expect(await sessionUserWith({ id: user.id, sv: 1 }, extra)).toBeNull();
    for (const bad of [null, {}, { id: "" }, { id: "nobody", sv: 0 }]) expect(await sessionUserWith(bad as never, extra)).toBeNull();
  });

  it("is an admin by grant or by ADMIN_EMAILS (any case), and says whether a password is set", async () => {
    const granted = await ctx.db.user.create({ data: { email: `granted-${Date.now()}@example.com`, isAdmin: true, passwordHash: "x" } });
    const listed = await makeUser(ctx.db);
    const plain = await makeUser(ctx.db);
    env.ADMIN_EMAILS = ` Someone@Example.com , ${listed.email.toUpperCase()}`;
    resetConfig();
    expect(await sessionUserFor({ id: granted.id, sv: 0 })).toMatchObject({ isAdmin: true, hasPassword: true });
    expect(await sessionUserFor({ id: listed.id, sv: 0 })).toMatchObject({ isAdmin: true, hasPassword: false });
    expect(await sessionUserFor({ id: plain.id, sv: 0 })).toMatchObject({ isAdmin: false });
  });
});

it("re-issues the same session under a new version, and clears it", async () => {
  const cookie = await reissuedSessionCookie({ sub: "user-1", email: "a@example.com" }, 7);
  expect(cookie).toMatch(new RegExp(`^${sessionCookieName()}=[^;]+; Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax$`));
  const token = await readSessionToken(new Request("http://localhost:3000/", { headers: { cookie: cookie.split(";")[0] } }));
  expect(token).toMatchObject({ sub: "user-1", email: "a@example.com", sv: 7 });
  expect(await readSessionToken(new Request("http://localhost:3000/", { headers: { cookie: `${sessionCookieName()}=forged` } }))).toBeNull();
  expect(clearedSessionCookie()).toMatch(/^next-auth\.session-token=; Path=\/; Max-Age=0; HttpOnly/);
});
