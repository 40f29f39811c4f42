import type { Metadata } from "next";
import { AccountLinks } from "@/app/components/account-links";
import { enabledOAuthProviders } from "@/lib/auth/options";
import { requireUser } from "@/lib/auth/session";
import { signInErrorMessage } from "@/lib/auth/sign-in-errors";
import { getDb } from "@/lib/db/client";

export const metadata: Metadata = { title: "Account" };

type Search = Promise<{ linked?: string | string[]; error?: string | string[] }>;

export default async function AccountPage({ searchParams }: { searchParams: Search }) {
  const user = await requireUser("/settings/account");
  const { linked, error } = await searchParams;
  const accounts = await getDb().account.findMany({ where: { userId: user.id }, select: { provider: true, providerAccountId: true } });
  const providers = enabledOAuthProviders().map((p) => ({
    ...p,
    linkedAs: accounts.filter((a) => a.provider === p.id).map((a) => a.providerAccountId),
  }));
  const linkedName = typeof linked === "string" ? providers.find((p) => p.id === linked)?.name : undefined;
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Account</h1>
        <p className="text-sm text-zinc-500 dark:text-zinc-400">
          Signed in as {user.email}. Link GitHub or Google to sign in with them too, whatever email address they have.
        </p>
      </div>
      {linkedName && (
        <p role="status" className="card border-emerald-300 p-4 text-sm dark:border-emerald-800">
          {linkedName} is now linked to your account.
        </p>
      )}
      {typeof error === "string" && (
        <p role="alert" className="field-error">
          {signInErrorMessage(error)}
        </p>
      )}
      <AccountLinks providers={providers} />
    </div>
  );
}
