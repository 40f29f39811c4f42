// Rows for tests, written through the real Prisma client.
import { randomBytes } from "node:crypto";
import type { PrismaClient, Task, TaskImage } from "@/lib/generated/prisma/client";

let seq = 0;

export async function makeUser(db: PrismaClient, email = `user${++seq}-${randomBytes(3).toString("hex")}@example.com`) {
  return db.user.create({ data: { email, name: null, passwordHash: null } });
}

export async function makeTask(db: PrismaClient, userId: string, data: Partial<Task> = {}): Promise<Task> {
  return db.task.create({
    data: {
      userId,
      prompt: "A lighthouse at dusk",
      provider: "local",
      callbackSecret: randomBytes(24).toString("base64url"),
      deadlineAt: new Date(Date.now() + 15 * 60_000),
      ...data,
      upstreamImages: (data.upstreamImages ?? undefined) as never,
    },
  });
}

/** Image rows (no stored files) for a task, in the order given; `data` may vary them by index. */
export async function makeImageRows(db: PrismaClient, taskId: string, indexes: number[], data: (index: number) => Partial<TaskImage> = () => ({})) {
  await db.taskImage.createMany({
    data: indexes.map((index) => ({
      taskId,
      index,
      upstreamUrl: "u",
      storageKey: `s${index}`,
      thumbKey: `t${index}`,
      contentType: "image/png",
      bytes: 1,
      width: 1,
      height: 1,
      sha256: "x",
      ...data(index),
    })),
  });
}
