// Finds or creates the user behind an OAuth sign-in and records the link.
import type { Account } from "next-auth";
import { getDb } from "../db/client";

export async function linkOAuthUser(input: { email: string; name: string | null; image: string | null; account: Account }) {
  const db = getDb();
  const { account } = input;
  const linked = await db.account.findUnique({
    where: { provider_providerAccountId: { provider: account.provider, providerAccountId: account.providerAccountId } },
    select: { userId: true },
  });
  if (linked) return linked.userId;
  const user = await db.user.upsert({
    where: { email: input.email },
    create: { email: input.email, name: input.name, image: input.image },
    update: {},
    select: { id: true },
  });
  await db.account.create({
    data: {
      userId: user.id,
      type: account.type,
      provider: account.provider,
      providerAccountId: account.providerAccountId,
      scope: account.scope ?? null,
      token_type: account.token_type ?? null,
    },
  });
  return user.id;
}
