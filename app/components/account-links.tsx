"use client";

// Settings → Account: link GitHub or Google to the signed-in user. "Link" asks the
// server for a signed, 10-minute link intent, then goes to the provider.
import { signIn } from "next-auth/react";
import { useState } from "react";

export type ProviderRow = { id: "github" | "google"; name: string; linkedAs: string[] };

export function AccountLinks({ providers }: { providers: ProviderRow[] }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<string | null>(null);

  async function link(row: ProviderRow) {
    setError(null);
    setPending(row.id);
    const res = await fetch("/api/account/link-intent", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ provider: row.id }),
    });
    if (!res.ok) {
      const json = await res.json().catch(() => null);
      setPending(null);
      return setError(json?.error?.message ?? `Could not start linking ${row.name}. Try again.`);
    }
    await signIn(row.id, { callbackUrl: "/settings/account" });
  }

  if (providers.length === 0)
    return <p className="card p-4 text-sm text-zinc-500 dark:text-zinc-400">No GitHub or Google sign-in is configured on this portal.</p>;
  return (
    <div className="space-y-3">
      <ul className="card divide-y divide-zinc-200 dark:divide-zinc-800">
        {providers.map((row) => (
          <li key={row.id} className="flex items-center justify-between gap-3 p-4">
            <div>
              <div className="font-medium">{row.name}</div>
              <div className="text-sm text-zinc-500 dark:text-zinc-400">
                {row.linkedAs.length ? `Linked: ${row.name} account ${row.linkedAs.join(", ")}` : "Not linked"}
              </div>
            </div>
            {row.linkedAs.length ? (
              <span className="text-sm font-medium text-emerald-700 dark:text-emerald-400">Linked</span>
            ) : (
              <button type="button" className="btn-secondary" disabled={pending !== null} onClick={() => link(row)}>
                {pending === row.id ? "Linking…" : "Link"}
              </button>
            )}
          </li>
        ))}
      </ul>
      {error && (
        <p role="alert" className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
