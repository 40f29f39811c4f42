// The admin API on real databases: 404 for anyone but an admin, the user list's
// figures, and disabling that stops sessions and API keys at once.
import { afterEach, beforeAll, expect, it, vi } from "vitest";
import { PATCH } from "@/app/api/admin/users/[id]/route";
import { GET } from "@/app/api/admin/users/route";
import { authenticateApiKey } from "@/lib/gateway/key-admission";
import { createApiKey, revokeApiKey } from "@/lib/api-keys/create-api-key";
import { sessionUserFor } from "@/lib/auth/session-user";
import { resetConfig } from "@/lib/config";
import { grantImages } from "@/lib/usage/admin-quota";
import { describeEachDb } from "../helpers/db";
import { makeTask, makeUser } from "../helpers/fixtures";
import { claimsOf, jsonInit, sessionStub } from "../helpers/session-stub";

vi.mock("@/lib/auth/session", async (importOriginal) => (await import("../helpers/session-stub")).stubbedSessionModule(importOriginal));

const env = process.env as Record<string, string | undefined>;
const base = "http://localhost:3000";
const list = (query = "") => GET(new Request(`${base}/api/admin/users${query}`), { params: Promise.resolve({}) });
const patch = (id: string, body: unknown, headers?: Record<string, string>) =>
  PATCH(new Request(`${base}/api/admin/users/${id}`, jsonInit("PATCH", body, headers)), { params: Promise.resolve({ id }) });

afterEach(() => {
  sessionStub.claims = null;
  delete env.ADMIN_EMAILS;
  resetConfig();
});

describeEachDb("admin API", (ctx) => {
  let admin: Awaited<ReturnType<typeof makeUser>>;
  let user: Awaited<ReturnType<typeof makeUser>>;
  beforeAll(async () => {
    admin = await ctx.db.user.create({ data: { email: `aa-admin-${Date.now()}@example.com`, isAdmin: true } });
    user = await makeUser(ctx.db);
  });

  it("answers 404 to the signed out and to users who are not admins, and changes nothing", async () => {
    for (const claims of [null, claimsOf(user)]) {
      sessionStub.claims = claims;
      const res = await list();
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe("not_found");
      expect((await patch(admin.id, { disabled: true })).status).toBe(404);
    }
    expect((await ctx.db.user.findUniqueOrThrow({ where: { id: admin.id } })).disabledAt).toBeNull();
    // An admin's session that was ended (version moved on) is nobody: 404 too.
    sessionStub.claims = { id: admin.id, sv: admin.sessionVersion + 5 };
    expect((await list()).status).toBe(404);
  });

  it("lists users with this month's images and tasks, last activity and keys, for a granted or an ADMIN_EMAILS admin", async () => {
    const busy = await makeUser(ctx.db, `busy-${Date.now()}@example.com`);
    const task = await makeTask(ctx.db, busy.id, { status: "succeed" });
    const old = await makeTask(ctx.db, busy.id, { status: "succeed", createdAt: new Date("2020-01-05T00:00:00Z") });
    const image = (taskId: string, index: number, createdAt?: Date) => ({
      taskId,
      index,
      upstreamUrl: "https://x.example/i.png",
      storageKey: `tasks/${taskId}/${index}.png`,
      thumbKey: `tasks/${taskId}/${index}.thumb.webp`,
      contentType: "image/png",
      bytes: 1,
      width: 1,
      height: 1,
      sha256: "0".repeat(64),
      ...(createdAt ? { createdAt } : {}),
    });
    await ctx.db.taskImage.createMany({ data: [image(task.id, 0), image(task.id, 1), image(old.id, 0, new Date("2020-01-05T00:01:00Z"))] });
    const key = await createApiKey(busy.id, "bot");
    const revoked = await createApiKey(busy.id, "old");
    await revokeApiKey(busy.id, revoked.id);

    for (const claims of [claimsOf(admin), claimsOf(user)]) {
      env.ADMIN_EMAILS = user.email;
      resetConfig();
      sessionStub.claims = claims;
      const res = await list(`?q=${encodeURIComponent(busy.email)}`);
      expect(res.status).toBe(200);
      const { users, nextCursor } = await res.json();
      expect(nextCursor).toBeNull();
      expect(users).toEqual([
        {
          id: busy.id,
          email: busy.email,
          name: null,
          createdAt: busy.createdAt.toISOString(),
          admin: null,
          disabled: false,
          imagesThisMonth: 2,
          tasksThisMonth: 1,
          // Both tasks are charged (n = 1 each) in the ledger's current month: the old one by the trigger when the test made it.
          budget: { used: 2, limit: null },
          lastActiveAt: task.createdAt.toISOString(),
          apiKeys: { active: 1, revoked: 1 },
        },
      ]);
    }
    // A budget: the user's override plus this month's grants.
    await ctx.db.user.update({ where: { id: busy.id }, data: { monthlyImageQuota: 40 } });
    await grantImages(busy.email, 5, "support ticket");
    expect((await (await list(`?q=${encodeURIComponent(busy.email)}`)).json()).users[0].budget).toEqual({ used: 2, limit: 45 });
    const byEnv = (await (await list(`?q=${encodeURIComponent(user.email)}`)).json()).users[0];
    expect(byEnv.admin).toBe("env");
    // A key used later than the last task is the last activity.
    await authenticateApiKey(key.key);
    const after = (await (await list(`?q=${encodeURIComponent(busy.email)}`)).json()).users[0];
    expect(new Date(after.lastActiveAt).getTime()).toBeGreaterThan(task.createdAt.getTime());
  });

  it("pages through users by email, and names the field of a bad query", async () => {
    sessionStub.claims = claimsOf(admin);
    const all = (await (await list("?limit=200")).json()).users.map((u: { email: string }) => u.email);
    expect(all).toEqual([...all].sort());
    const first = await (await list("?limit=1")).json();
    expect(first.users.map((u: { email: string }) => u.email)).toEqual([all[0]]);
    const second = await (await list(`?limit=1&cursor=${encodeURIComponent(first.nextCursor)}`)).json();
    expect(second.users[0].email).toBe(all[1]);
    for (const [query, field] of [
      ["?limit=0", "limit"],
      ["?limit=abc", "limit"],
      ["?limit=201", "limit"],
      ["?q=%00", "q"],
      ["?bogus=1", "bogus"],
    ]) {
      const res = await list(query);
      expect(res.status, query).toBe(400);
      expect(Object.keys((await res.json()).error.fields), query).toContain(field);
    }
  });

  it("disables a user: their sessions and API keys stop at once; enabling takes new sessions only", async () => {
    const target = await makeUser(ctx.db);
    const key = await createApiKey(target.id, "k");
    const session = claimsOf(target);
    expect(await sessionUserFor(session)).not.toBeNull();
    sessionStub.claims = claimsOf(admin);

    const res = await patch(target.id, { disabled: true });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: target.id, disabled: true });
    expect(await sessionUserFor(session)).toBeNull();
    expect(await authenticateApiKey(key.key)).toEqual({ ok: false, status: 403 });

    const enabled = await patch(target.id, { disabled: false });
    expect(await enabled.json()).toMatchObject({ disabled: false });
    expect((await authenticateApiKey(key.key)).ok).toBe(true);
    expect(await sessionUserFor(session)).toBeNull();
    expect(await sessionUserFor(claimsOf(await ctx.db.user.findUniqueOrThrow({ where: { id: target.id } })))).not.toBeNull();
  });

  it("refuses bad bodies naming the field, cross-site writes, unknown users and disabling oneself", async () => {
    const target = await makeUser(ctx.db);
    sessionStub.claims = claimsOf(admin);
    for (const body of [{}, { disabled: "yes" }, { disabled: true, role: "admin" }]) {
      const res = await patch(target.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys((await res.json()).error.fields).length).toBeGreaterThan(0);
    }
    expect((await patch(target.id, "disabled=true", { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" })).status).toBe(403);
    expect((await patch(target.id, { disabled: true }, { origin: "https://evil.example" })).status).toBe(403);
    expect((await patch("no-such-user", { disabled: true })).status).toBe(404);
    const self = await patch(admin.id, { disabled: true });
    expect(self.status).toBe(409);
    expect((await self.json()).error.fields.disabled).toMatch(/your own account/);
    expect((await ctx.db.user.findUniqueOrThrow({ where: { id: target.id } })).disabledAt).toBeNull();
  });
});
