import { afterEach, expect, it } from "vitest";
import { authenticateApiKey } from "@/lib/gateway/key-admission";
import { createApiKey, hashApiKey, listApiKeys, revokeApiKey } from "@/lib/api-keys/create-api-key";
import { openSecret, SecretBoxError } from "@/lib/api-keys/secret-box";
import { loadSigningSecret, rotateSigningSecret } from "@/lib/api-keys/signing-secret";
import { resetConfig } from "@/lib/config";
import { ApiError } from "@/lib/http/errors";
import { describeEachDb } from "../helpers/db";
import { makeUser } from "../helpers/fixtures";

describeEachDb("API keys", (ctx) => {
  it("stores only a hash and shows the key once", async () => {
    const user = await makeUser(ctx.db);
    const created = await createApiKey(user.id, "laptop");
    expect(created.key).toMatch(/^kp_[A-Za-z0-9_-]{32}$/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    const row = await ctx.db.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.hash).toBe(hashApiKey(created.key));
    expect(JSON.stringify(row)).not.toContain(created.key);
    const listed = await listApiKeys(user.id);
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(created.key);
  });

  it("authenticates a valid key, rejects unknown (401) and revoked (403) ones, and records use", async () => {
    const user = await makeUser(ctx.db);
    const { key, id } = await createApiKey(user.id, "ci");
    expect(await authenticateApiKey(key)).toEqual({ ok: true, keyId: id, userId: user.id, quota: { monthlyImageQuota: null, quotaUnlimited: false } });
    expect((await ctx.db.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt).not.toBeNull();
    expect(await authenticateApiKey(null)).toEqual({ ok: false, status: 401 });
    expect(await authenticateApiKey("kp_wrong")).toEqual({ ok: false, status: 401 });
    expect(await revokeApiKey(user.id, id)).toBe(true);
    expect(await authenticateApiKey(key)).toEqual({ ok: false, status: 403 });
  });

  it("lets nobody revoke another user's key", async () => {
    const owner = await makeUser(ctx.db);
    const stranger = await makeUser(ctx.db);
    const { id, key } = await createApiKey(owner.id, "mine");
    expect(await revokeApiKey(stranger.id, id)).toBe(false);
    expect((await authenticateApiKey(key)).ok).toBe(true);
  });
});

describeEachDb("API key signing secrets and limits", (ctx) => {
  const env = process.env as Record<string, string | undefined>;
  afterEach(() => {
    delete env.MAX_API_KEYS_PER_USER;
    resetConfig();
  });

  it("makes a whsec_ signing secret with each key, shown once and stored sealed", async () => {
    const user = await makeUser(ctx.db);
    const created = await createApiKey(user.id, "hooks");
    expect(created.signingSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(created.signingSecret.slice(6), "base64")).toHaveLength(32);
    const row = await ctx.db.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.signingSecret).toMatch(/^v1:/);
    expect(row.signingSecret).not.toContain(created.signingSecret.slice(6));
    expect(await loadSigningSecret(created.id)).toBe(created.signingSecret);
    // Bound to its row and to the auth secret: moved or read with another secret, it does not open.
    expect(() => openSecret(row.signingSecret!, "another-id")).toThrow(SecretBoxError);
    expect(() => openSecret(row.signingSecret!, created.id, "x".repeat(40))).toThrow("does not decrypt");
    const listed = await listApiKeys(user.id);
    expect(listed[0]).toMatchObject({ id: created.id, hasSigningSecret: true });
    expect(JSON.stringify(listed)).not.toContain(row.signingSecret);
    expect(JSON.stringify(listed)).not.toContain(created.signingSecret);
  });

  it("rotates a key's signing secret for its owner only, and never for a revoked key", async () => {
    const owner = await makeUser(ctx.db);
    const stranger = await makeUser(ctx.db);
    const created = await createApiKey(owner.id, "rotating");
    const rotated = await rotateSigningSecret(owner.id, created.id);
    expect(rotated.id).toBe(created.id);
    expect(rotated.signingSecret).toMatch(/^whsec_/);
    expect(rotated.signingSecret).not.toBe(created.signingSecret);
    expect(await loadSigningSecret(created.id)).toBe(rotated.signingSecret);
    await expect(rotateSigningSecret(stranger.id, created.id)).rejects.toMatchObject({ status: 404 });
    expect(await loadSigningSecret(created.id)).toBe(rotated.signingSecret);
    await revokeApiKey(owner.id, created.id);
    await expect(rotateSigningSecret(owner.id, created.id)).rejects.toMatchObject({ status: 409, code: "key_revoked" });
  });

  it("allows at most MAX_API_KEYS_PER_USER active keys, counting revoked ones out", async () => {
    env.MAX_API_KEYS_PER_USER = "3";
    resetConfig();
    const user = await makeUser(ctx.db);
    const other = await makeUser(ctx.db);
    const keys = [];
    for (let i = 0; i < 3; i++) keys.push(await createApiKey(user.id, `k${i}`));
    const refused = await createApiKey(user.id, "one too many").then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 409, code: "too_many_keys" });
    expect((refused as Error).message).toBe("You already have 3 active API keys, the most allowed is 3: revoke one before creating another");
    expect(await ctx.db.apiKey.count({ where: { userId: user.id } })).toBe(3);
    expect((await createApiKey(other.id, "someone else's")).key).toMatch(/^kp_/);
    await revokeApiKey(user.id, keys[0].id);
    expect((await createApiKey(user.id, "after revoking")).key).toMatch(/^kp_/);
  });

  it("keeps the limit when many keys are created at once", async () => {
    env.MAX_API_KEYS_PER_USER = "2";
    resetConfig();
    const user = await makeUser(ctx.db);
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => createApiKey(user.id, `race ${i}`)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    for (const r of results.filter((r) => r.status === "rejected")) expect((r as PromiseRejectedResult).reason).toMatchObject({ status: 409 });
    expect(await ctx.db.apiKey.count({ where: { userId: user.id, revokedAt: null } })).toBe(2);
  });
});
