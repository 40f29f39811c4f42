// The account API on real databases and a real blob store: name, password change
// (throttled, signing out every other session), the streamed export read back as
// a ZIP, and deletion of everything the account owns.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { encode } from "next-auth/jwt";
import yauzl from "yauzl";
import { afterAll, afterEach, beforeAll, expect, it, vi } from "vitest";
import { GET as EXPORT } from "@/app/api/account/export/route";
import { POST as PASSWORD } from "@/app/api/account/password/route";
import { DELETE, PATCH } from "@/app/api/account/route";
import { authenticateApiKey } from "@/lib/gateway/key-admission";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { setLoginThrottle } from "@/lib/auth/login-throttle";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { sessionUserFor } from "@/lib/auth/session-user";
import { readSessionToken, sessionCookieName } from "@/lib/auth/session-version";
import { getAuthSecret } from "@/lib/auth/secret";
import { getBlobStore, setBlobStore } from "@/lib/storage";
import { createFsStore } from "@/lib/storage/fs-store";
import { throttleFor } from "../auth/throttle-helpers";
import { describeEachDb } from "../helpers/db";
import { makeTask, makeUser } from "../helpers/fixtures";
import { claimsOf, jsonInit, sessionStub } from "../helpers/session-stub";

vi.mock("@/lib/auth/session", async (importOriginal) => (await import("../helpers/session-stub")).stubbedSessionModule(importOriginal));

const base = "http://localhost:3000/api/account";
const none = { params: Promise.resolve({}) };
const sessionCookie = async (user: { id: string; email: string; sessionVersion: number }) =>
  `${sessionCookieName()}=${await encode({ token: { sub: user.id, email: user.email, sv: user.sessionVersion }, secret: getAuthSecret() })}`;

let storeDir: string;
beforeAll(async () => {
  storeDir = await mkdtemp(path.join(os.tmpdir(), "account-store-"));
  setBlobStore(createFsStore(storeDir));
});
afterAll(async () => {
  setBlobStore(undefined);
  await rm(storeDir, { recursive: true, force: true });
});
afterEach(() => {
  sessionStub.claims = null;
  setLoginThrottle(undefined);
});

type ZipEntry = { name: string; body: Buffer };
/** Reads a ZIP back with yauzl (an independent reader), entry by entry. */
async function readZip(res: Response): Promise<ZipEntry[]> {
  const bytes = Buffer.from(await res.arrayBuffer());
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const entries: ZipEntry[] = [];
      zip.on("error", reject);
      zip.on("end", () => resolve(entries));
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, async (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          for await (const c of stream as Readable) chunks.push(Buffer.from(c));
          entries.push({ name: entry.fileName, body: Buffer.concat(chunks) });
          zip.readEntry();
        });
      });
      zip.readEntry();
    });
  });
}

async function archivedTask(db: Parameters<typeof makeTask>[0], userId: string, n: number) {
  const task = await makeTask(db, userId, { status: "succeed", n, imageRef: `blob:refs/${userId}-ref.png` });
  await getBlobStore().put(`refs/${userId}-ref.png`, Buffer.from("reference"), "image/png");
  for (let index = 0; index < n; index++) {
    const storageKey = `tasks/${task.id}/${index}.png`;
    await getBlobStore().put(storageKey, Buffer.from(`png ${task.id} ${index}`), "image/png");
    await getBlobStore().put(`tasks/${task.id}/${index}.thumb.webp`, Buffer.from("thumb"), "image/webp");
    await db.taskImage.create({
      data: {
        taskId: task.id,
        index,
        upstreamUrl: "https://x.example/i.png",
        storageKey,
        thumbKey: `tasks/${task.id}/${index}.thumb.webp`,
        contentType: "image/png",
        bytes: 10,
        width: 1,
        height: 1,
        sha256: "0".repeat(64),
      },
    });
  }
  return task;
}

describeEachDb("account API", (ctx) => {
  it("answers 401 without a session on every route", async () => {
    expect((await PATCH(new Request(base, jsonInit("PATCH", { name: "x" })), none)).status).toBe(401);
    expect((await PASSWORD(new Request(`${base}/password`, jsonInit("POST", { newPassword: "long enough" })), none)).status).toBe(401);
    expect((await EXPORT(new Request(`${base}/export`), none)).status).toBe(401);
    expect((await DELETE(new Request(base, jsonInit("DELETE", { confirm: "x@example.com" })), none)).status).toBe(401);
  });

  it("changes the name, and names the field of a bad one", async () => {
    const user = await makeUser(ctx.db);
    sessionStub.claims = claimsOf(user);
    const res = await PATCH(new Request(base, jsonInit("PATCH", { name: "  Ada Lovelace " })), none);
    expect(await res.json()).toEqual({ id: user.id, email: user.email, name: "Ada Lovelace" });
    for (const body of [{ name: "x".repeat(101) }, { name: "a\u0000b" }, { name: 5 }, {}, { name: "ok", email: "a@b.c" }]) {
      const bad = await PATCH(new Request(base, jsonInit("PATCH", body)), none);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys((await bad.json()).error.fields).length).toBeGreaterThan(0);
    }
    expect(
      (
        await PATCH(
          new Request(base, jsonInit("PATCH", "name=x", { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" })),
          none,
        )
      ).status,
    ).toBe(403);
    expect((await ctx.db.user.findUniqueOrThrow({ where: { id: user.id } })).name).toBe("Ada Lovelace");
  });

  it("changes the password: checks the current one, signs every other session out and keeps this one", async () => {
    const user = await ctx.db.user.create({ data: { email: `pw-${Date.now()}@example.com`, passwordHash: await hashPassword("old password 1") } });
    sessionStub.claims = claimsOf(user);
    const other = claimsOf(user);
    const wrong = await PASSWORD(new Request(`${base}/password`, jsonInit("POST", { currentPassword: "nope nope", newPassword: "new password 2" })), none);
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error.fields.currentPassword).toBe("Current password is wrong");
    const missing = await PASSWORD(new Request(`${base}/password`, jsonInit("POST", { newPassword: "new password 2" })), none);
    expect((await missing.json()).error.fields.currentPassword).toBeDefined();
    const short = await PASSWORD(new Request(`${base}/password`, jsonInit("POST", { currentPassword: "old password 1", newPassword: "short" })), none);
    expect((await short.json()).error.fields.newPassword).toMatch(/at least 8/);

    const res = await PASSWORD(
      new Request(
        `${base}/password`,
        jsonInit("POST", { currentPassword: "old password 1", newPassword: "new password 2" }, { cookie: await sessionCookie(user) }),
      ),
      none,
    );
    expect(res.status).toBe(200);
    const stored = await ctx.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(await verifyPassword(stored.passwordHash, "new password 2")).toBe(true);
    expect(stored.sessionVersion).toBe(user.sessionVersion + 1);
    // Every session issued before is over; this browser got its session re-issued under the new version.
    expect(await sessionUserFor(other)).toBeNull();
    const reissued = await readSessionToken(new Request(base, { headers: { cookie: res.headers.get("set-cookie")!.split(";")[0] } }));
    expect(reissued).toMatchObject({ sub: user.id, sv: stored.sessionVersion });
    expect(await sessionUserFor({ id: reissued!.sub, sv: reissued!.sv })).not.toBeNull();
  });

  it("throttles current-password guesses like sign-in, refusing even the right one while locked", async () => {
    setLoginThrottle(throttleFor(ctx.url, { failuresBeforeLockout: 2, lockoutSeconds: 60, lockoutMaxSeconds: 60 }));
    const user = await ctx.db.user.create({ data: { email: `guess-${Date.now()}@example.com`, passwordHash: await hashPassword("right password") } });
    sessionStub.claims = claimsOf(user);
    const attempt = (currentPassword: string) =>
      PASSWORD(new Request(`${base}/password`, jsonInit("POST", { currentPassword, newPassword: "another password" })), none);
    expect((await attempt("guess one")).status).toBe(400);
    const locked = await attempt("guess two");
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await locked.json()).error.code).toBe("too_many_attempts");
    expect((await attempt("right password")).status).toBe(429);
    expect(await verifyPassword((await ctx.db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash, "right password")).toBe(true);
  });

  it("lets an account made with GitHub or Google set a password without a current one", async () => {
    const user = await makeUser(ctx.db);
    sessionStub.claims = claimsOf(user);
    const res = await PASSWORD(new Request(`${base}/password`, jsonInit("POST", { newPassword: "first password" })), none);
    expect(res.status).toBe(200);
    expect(await verifyPassword((await ctx.db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash, "first password")).toBe(true);
  });

  it("exports every archived image and every task with its parameters as a streamed ZIP, and nobody else's", async () => {
    const user = await makeUser(ctx.db);
    const stranger = await makeUser(ctx.db);
    const two = await archivedTask(ctx.db, user.id, 2);
    const failed = await makeTask(ctx.db, user.id, {
      status: "failed",
      statusMsg: "upstream refused",
      prompt: "A failed fox",
      negativePrompt: "blur",
      aspectRatio: "1:1",
    });
    const lost = await archivedTask(ctx.db, user.id, 1);
    await getBlobStore().delete(`tasks/${lost.id}/0.png`);
    await archivedTask(ctx.db, stranger.id, 1);
    sessionStub.claims = claimsOf(user);

    const res = await EXPORT(new Request(`${base}/export`), none);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="kling-portal-export-\d{4}-\d{2}-\d{2}\.zip"$/);
    const entries = await readZip(res);
    const names = entries.map((e) => e.name).sort();
    expect(names).toEqual([`images/${lost.id}/0.png`, `images/${two.id}/0.png`, `images/${two.id}/1.png`, "tasks.json"].sort());
    expect(entries.find((e) => e.name === `images/${two.id}/1.png`)!.body.toString()).toBe(`png ${two.id} 1`);
    const { tasks } = JSON.parse(entries.find((e) => e.name === "tasks.json")!.body.toString());
    expect(tasks).toHaveLength(3);
    expect(tasks.find((t: { id: string }) => t.id === failed.id)).toMatchObject({
      status: "failed",
      statusMsg: "upstream refused",
      prompt: "A failed fox",
      negative_prompt: "blur",
      aspect_ratio: "1:1",
      files: [],
    });
    expect(tasks.find((t: { id: string }) => t.id === two.id)).toMatchObject({
      n: 2,
      image: "uploaded",
      files: [`images/${two.id}/0.png`, `images/${two.id}/1.png`],
    });
    expect(tasks.find((t: { id: string }) => t.id === lost.id).missingFiles).toEqual([`images/${lost.id}/0.png`]);
  });

  it("deletes the account only with its email as confirmation, with its tasks, files, keys and links; others keep theirs", async () => {
    const user = await makeUser(ctx.db);
    const other = await makeUser(ctx.db);
    const task = await archivedTask(ctx.db, user.id, 2);
    const kept = await archivedTask(ctx.db, other.id, 1);
    const key = await createApiKey(user.id, "k");
    await ctx.db.account.create({ data: { userId: user.id, type: "oauth", provider: "github", providerAccountId: `gh-${user.id}` } });
    sessionStub.claims = claimsOf(user);

    for (const body of [{ confirm: other.email }, {}, { confirm: "" }]) {
      const res = await DELETE(new Request(base, jsonInit("DELETE", body)), none);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).error.fields.confirm).toBeDefined();
    }
    expect(await ctx.db.user.findUnique({ where: { id: user.id } })).not.toBeNull();
    expect((await DELETE(new Request(base, jsonInit("DELETE", { confirm: user.email }, { origin: "https://evil.example" })), none)).status).toBe(403);

    const res = await DELETE(new Request(base, jsonInit("DELETE", { confirm: ` ${user.email.toUpperCase()} ` })), none);
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toMatch(/session-token=; Path=\/; Max-Age=0/);
    expect(await ctx.db.user.findUnique({ where: { id: user.id } })).toBeNull();
    expect(await ctx.db.task.count({ where: { userId: user.id } })).toBe(0);
    expect(await ctx.db.apiKey.count({ where: { userId: user.id } })).toBe(0);
    expect(await ctx.db.account.count({ where: { userId: user.id } })).toBe(0);
    for (const k of [`tasks/${task.id}/0.png`, `tasks/${task.id}/1.thumb.webp`, `refs/${user.id}-ref.png`]) expect(await getBlobStore().get(k), k).toBeNull();
    expect((await authenticateApiKey(key.key)).ok).toBe(false);
    expect(await sessionUserFor(claimsOf(user))).toBeNull();
    expect(await getBlobStore().get(`tasks/${kept.id}/0.png`)).not.toBeNull();
    expect(await ctx.db.task.count({ where: { userId: other.id } })).toBe(1);
  });
});
