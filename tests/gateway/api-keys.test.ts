import { expect, it } from "vitest";
import { authenticateApiKey } from "@/lib/api-keys/authenticate-api-key";
import { createApiKey, hashApiKey, listApiKeys, revokeApiKey } from "@/lib/api-keys/create-api-key";
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
    expect(await authenticateApiKey(key)).toEqual({ ok: true, keyId: id, userId: user.id });
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
