// A submit's task is stored by one SQL statement instead of Prisma's create
// (insert-task.ts): the row read back must be the Task Prisma would return, and
// a unique index's refusal must be recognised as Prisma's own is.
import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { isUniqueViolation } from "@/lib/db/unique-violation";
import { insertTask, type NewTask } from "@/lib/tasks/insert-task";
import { describeEachDb } from "../helpers/db";
import { makeUser } from "../helpers/fixtures";

const newTask = (userId: string, extra: Partial<NewTask> = {}): NewTask => {
  const id = `t${randomBytes(8).toString("hex")}`;
  return {
    id,
    userId,
    source: "api",
    apiKeyId: null,
    prompt: "a lighthouse at dusk",
    negativePrompt: "fog",
    imageRef: "https://example.com/ref.png",
    imageFidelity: 0.25,
    n: 3,
    aspectRatio: "1:1",
    clientCallbackUrl: "https://example.com/hook",
    provider: "official",
    callbackSecret: randomBytes(24).toString("base64url"),
    idempotencyKey: `k-${id}`,
    requestHash: "ab".repeat(32),
    deadlineAt: new Date("2026-11-27T10:00:00.000Z"),
    ...extra,
  };
};

// Each field's kind, as a caller would use it: Date, number, string, null or object.
const kinds = (row: object) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? "date" : v === null ? "null" : typeof v]));

describeEachDb("insertTask", (ctx) => {
  it("reads back the row Prisma's create stores for the same task: every field, with the same types and values", async () => {
    const user = await makeUser(ctx.db);
    const now = new Date("2026-11-27T09:00:00.123Z");
    const held = { leaseUntil: new Date("2026-11-27T09:01:00.000Z"), leaseOwner: "creator:x", submitSentAt: now };
    const raw = newTask(user.id, held);
    const viaSql = await insertTask(ctx.db, raw, now);
    const viaPrisma = await ctx.db.task.create({
      data: { ...newTask(user.id, held), nextCheckAt: now, createdAt: now, updatedAt: now },
    });
    expect(kinds(viaSql)).toEqual(kinds(viaPrisma));
    const { id, callbackSecret, idempotencyKey, ...rest } = viaPrisma;
    expect(viaSql).toEqual({ ...rest, id: raw.id, callbackSecret: raw.callbackSecret, idempotencyKey: raw.idempotencyKey });
    expect(await ctx.db.task.findUniqueOrThrow({ where: { id: raw.id } })).toEqual(viaSql);
    expect(viaSql).toMatchObject({ status: "queued", statusMsg: "", attempts: 0, archiveAttempts: 0, upstreamImages: null, createdAt: now });
  });

  it("stores a waiting task unheld, with its message", async () => {
    const user = await makeUser(ctx.db);
    const row = await insertTask(ctx.db, newTask(user.id, { status: "waiting", statusMsg: "Waiting for a free slot" }));
    expect(row).toMatchObject({ status: "waiting", statusMsg: "Waiting for a free slot", leaseUntil: null, leaseOwner: null, submitSentAt: null });
  });

  it("a taken idempotency key or callback secret is a unique violation, as from Prisma's create; other errors are not", async () => {
    const user = await makeUser(ctx.db);
    const first = newTask(user.id);
    await insertTask(ctx.db, first);
    const sameKey = await insertTask(ctx.db, newTask(user.id, { idempotencyKey: first.idempotencyKey })).catch((e: unknown) => e);
    const sameSecret = await insertTask(ctx.db, newTask(user.id, { callbackSecret: first.callbackSecret })).catch((e: unknown) => e);
    const viaPrisma = await ctx.db.task.create({ data: newTask(user.id, { idempotencyKey: first.idempotencyKey }) }).catch((e: unknown) => e);
    const noUser = await insertTask(ctx.db, newTask("no-such-user")).catch((e: unknown) => e);
    expect([sameKey, sameSecret, viaPrisma].map(isUniqueViolation)).toEqual([true, true, true]);
    expect(noUser).toBeInstanceOf(Error);
    expect(isUniqueViolation(noUser)).toBe(false);
    expect(isUniqueViolation(new Error("duplicate key"))).toBe(false);
    expect(await ctx.db.task.count({ where: { userId: user.id } })).toBe(1);
  });
});
