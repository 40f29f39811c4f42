import type { Metadata } from "next";
import { enabledOAuthProviders } from "@/lib/auth/options";
import { safeCallbackPath } from "@/lib/auth/safe-callback-path";
import { SignInForm } from "./signin-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackPath(params.callbackUrl);
  return (
    <>
      <h1 className="mb-1 text-xl font-semibold">Sign in</h1>
      <p className="mb-6 text-sm text-zinc-500 dark:text-zinc-400">Welcome back. Your images are waiting.</p>
      {params.deleted === "1" && (
        <p role="status" className="card mb-4 border-emerald-300 p-3 text-sm dark:border-emerald-800">
          Your account and all its data have been deleted.
        </p>
      )}
      <SignInForm callbackUrl={callbackUrl} oauth={enabledOAuthProviders()} initialError={params.error} />
    </>
  );
}
