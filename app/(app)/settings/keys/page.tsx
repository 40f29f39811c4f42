import type { Metadata } from "next";
import Link from "next/link";
import { KeysManager } from "@/app/components/keys-manager";
import { listApiKeys } from "@/lib/api-keys/create-api-key";
import { requireUser } from "@/lib/auth/session";
import { getConfig } from "@/lib/config";

export const metadata: Metadata = { title: "API keys" };

export default async function KeysPage() {
  const user = await requireUser("/settings/keys");
  const keys = (await listApiKeys(user.id)).map((k) => ({
    ...k,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  }));
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <div>
        <h1 className="text-xl font-semibold">API keys</h1>
        <p className="text-sm text-zinc-500 dark:text-zinc-400">
          Send a key as <code className="font-mono">Ocp-Apim-Subscription-Key</code> to the portal&apos;s Kling endpoints. Tasks made with it appear in your
          history. Notifications to a task&apos;s <code className="font-mono">callback_url</code> are signed with the key&apos;s signing secret (Standard
          Webhooks); at most {getConfig().MAX_API_KEYS_PER_USER} active keys. See the{" "}
          <Link href="/docs" className="text-brand-600 hover:underline dark:text-brand-400">
            API guide
          </Link>
          .
        </p>
      </div>
      <KeysManager keys={keys} />
    </div>
  );
}
