// Operators' changes to budgets (`npm run admin -- set-quota | grant-images`).
import { z } from "zod";
import { getDb } from "../db/client";
import { getUsage, type Usage } from "./budget";
import { periodStartOf } from "./period";

/** "unlimited", "default" (QUOTA_IMAGES_PER_MONTH), or a whole number of images a month. */
export const quotaValueSchema = z.union([
  z.enum(["unlimited", "default"]),
  z
    .string()
    .regex(/^\d{1,9}$/, "must be a whole number of images, unlimited or default")
    .transform(Number),
]);

export const grantSchema = z.object({
  images: z
    .string()
    .regex(/^[1-9]\d{0,8}$/, "must be a whole number of images, at least 1")
    .transform(Number),
  note: z.string().trim().max(500, "must be at most 500 characters").optional(),
});

async function userByEmail(email: string) {
  const user = await getDb().user.findUnique({ where: { email: email.trim().toLowerCase() }, select: { id: true, email: true } });
  if (!user) throw new Error(`No user with email ${email}`);
  return user;
}

/** Sets a user's monthly budget override; returns the user and this month's usage under it. */
export async function setUserQuota(email: string, value: z.infer<typeof quotaValueSchema>): Promise<{ email: string; usage: Usage }> {
  const user = await userByEmail(email);
  await getDb().user.update({
    where: { id: user.id },
    data:
      value === "unlimited"
        ? { quotaUnlimited: true, monthlyImageQuota: null }
        : value === "default"
          ? { quotaUnlimited: false, monthlyImageQuota: null }
          : { quotaUnlimited: false, monthlyImageQuota: value },
  });
  return { email: user.email, usage: await getUsage(user.id) };
}

/** Adds images to a user's budget for the current month only (a grant entry in the ledger). */
export async function grantImages(email: string, images: number, note: string | undefined, now = new Date()): Promise<{ email: string; usage: Usage }> {
  const user = await userByEmail(email);
  await getDb().usageEntry.create({ data: { userId: user.id, kind: "grant", images, periodStart: periodStartOf(now), note: note || null } });
  return { email: user.email, usage: await getUsage(user.id, now) };
}

/** "312 of 500 images this month", or "312 images this month" when unlimited. */
export function describeUsage(u: Pick<Usage, "used" | "limit">): string {
  const images = (k: number) => `${k} image${k === 1 ? "" : "s"}`;
  return u.limit === null ? `${images(u.used)} this month (unlimited)` : `${u.used} of ${images(u.limit)} this month`;
}
