// Finds or creates the user behind a GitHub or Google sign-in, and decides when
// that sign-in may join an existing account. The portal never verifies emails,
// so an email alone proves nothing: an account is joined only when the provider
// vouches for the email and the account has no password (someone who registered
// victim@… with a password first must not keep access once the victim arrives).
import type { Account } from "next-auth";
import { getDb } from "../db/client";
import { isUniqueViolation } from "../db/unique-violation";

export type OAuthSignIn = { email: string | null; emailVerified: boolean; name: string | null; image: string | null; account: Account };
export type OAuthRefusal = "OAuthNoEmail" | "OAuthEmailUnverified" | "OAuthAccountNotLinked";
export type OAuthLinkResult = { ok: true; userId: string } | { ok: false; error: OAuthRefusal };

export async function linkOAuthUser(input: OAuthSignIn, retries = 0): Promise<OAuthLinkResult> {
  const db = getDb();
  const { account } = input;
  const linked = await db.account.findUnique({
    where: { provider_providerAccountId: { provider: account.provider, providerAccountId: account.providerAccountId } },
    select: { userId: true },
  });
  // The same provider identity as before: its owner, whatever its email says today.
  if (linked) return { ok: true, userId: linked.userId };
  const email = input.email?.trim().toLowerCase();
  if (!email) return { ok: false, error: "OAuthNoEmail" };
  // Unverified: neither a new account (it would squat the address) nor a link.
  if (!input.emailVerified) return { ok: false, error: "OAuthEmailUnverified" };
  const existing = await db.user.findUnique({ where: { email }, select: { id: true, passwordHash: true } });
  if (existing?.passwordHash) return { ok: false, error: "OAuthAccountNotLinked" };
  try {
    const userId = existing?.id ?? (await db.user.create({ data: { email, name: input.name, image: input.image }, select: { id: true } })).id;
    await createAccountLink(userId, account);
    return { ok: true, userId };
  } catch (err) {
    // A concurrent sign-up or sign-in took the email or the link first: decide again on what it wrote.
    // Two rounds at most: one may lose the race for the user, the next the one for the link.
    if (isUniqueViolation(err) && retries < 2) return linkOAuthUser(input, retries + 1);
    throw err;
  }
}

/** The Account row that links a provider identity to a user (tokens are not kept). */
function createAccountLink(userId: string, account: Account) {
  return getDb().account.create({
    data: {
      userId,
      type: account.type,
      provider: account.provider,
      providerAccountId: account.providerAccountId,
      scope: account.scope ?? null,
      token_type: account.token_type ?? null,
    },
  });
}

export type LinkToUserResult = { ok: true; userId: string } | { ok: false; error: "OAuthLinkedElsewhere" };

/**
 * Links a provider identity to a signed-in user who asked for it (Settings →
 * Account), whatever the provider's email: the session, not the email, proves
 * who this is. Already linked to that user is fine; to anyone else it is refused.
 */
export async function linkAccountToUser(userId: string, account: Account, retried = false): Promise<LinkToUserResult> {
  const db = getDb();
  const where = { provider_providerAccountId: { provider: account.provider, providerAccountId: account.providerAccountId } };
  const linked = await db.account.findUnique({ where, select: { userId: true } });
  if (linked) return linked.userId === userId ? { ok: true, userId } : { ok: false, error: "OAuthLinkedElsewhere" };
  try {
    await createAccountLink(userId, account);
    return { ok: true, userId };
  } catch (err) {
    if (isUniqueViolation(err) && !retried) return linkAccountToUser(userId, account, true);
    throw err;
  }
}
