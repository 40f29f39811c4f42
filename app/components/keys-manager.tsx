"use client";

// Create, list and revoke API keys, and rotate their webhook signing secrets.
// A new key and its signing secret, or a rotated secret, are shown once, right here.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { createApiKeySchema } from "@/lib/api-keys/schema";
import { RelativeTime } from "./relative-time";

export type KeyRow = {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  hasSigningSecret: boolean;
};

function OneTimeValue({ label, value, testId }: { label: string; value: string; testId: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="space-y-1">
      <p className="text-xs font-medium text-zinc-500 dark:text-zinc-400">{label}</p>
      <div className="flex items-center gap-2">
        <code data-testid={testId} className="block flex-1 overflow-x-auto rounded-lg bg-zinc-100 px-3 py-2 font-mono text-sm dark:bg-zinc-800">
          {value}
        </code>
        <button
          type="button"
          className="btn-secondary"
          onClick={async () => {
            await navigator.clipboard?.writeText(value).catch(() => {});
            setCopied(true);
          }}
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </div>
  );
}

export function KeysManager({ keys }: { keys: KeyRow[] }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  // Shown once: a new key with its signing secret, or a rotated signing secret alone.
  const [created, setCreated] = useState<{ name: string; key?: string; signingSecret: string } | null>(null);
  const [pending, setPending] = useState(false);

  async function create(e: React.FormEvent) {
    e.preventDefault();
    const parsed = createApiKeySchema.safeParse({ name });
    if (!parsed.success) return setError(parsed.error.issues[0].message);
    setPending(true);
    setError(null);
    const res = await fetch("/api/keys", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(parsed.data) });
    const json = await res.json().catch(() => null);
    setPending(false);
    if (!res.ok) return setError(json?.error?.fields?.name ?? json?.error?.message ?? "Could not create the key.");
    setCreated({ name: json.name, key: json.key, signingSecret: json.signingSecret });
    setName("");
    router.refresh();
  }

  async function rotate(row: KeyRow) {
    const verb = row.hasSigningSecret ? "Replace the signing secret of" : "Create a signing secret for";
    if (!window.confirm(`${verb} “${row.name}”? Notifications not yet sent will be signed with the new secret at once.`)) return;
    setError(null);
    const res = await fetch(`/api/keys/${row.id}/signing-secret`, { method: "POST" });
    const json = await res.json().catch(() => null);
    if (!res.ok) return setError(json?.error?.message ?? "Could not change the signing secret. Try again.");
    setCreated({ name: row.name, signingSecret: json.signingSecret });
    router.refresh();
  }

  async function revoke(row: KeyRow) {
    if (!window.confirm(`Revoke “${row.name}”? Programs using it will get 403 at once.`)) return;
    const res = await fetch(`/api/keys/${row.id}`, { method: "DELETE" });
    if (!res.ok) setError("Could not revoke the key. Try again.");
    router.refresh();
  }

  return (
    <div className="space-y-6">
      <form onSubmit={create} noValidate className="card flex flex-wrap items-end gap-3 p-4">
        <div className="min-w-56 flex-1">
          <label htmlFor="key-name" className="label">
            New key name
          </label>
          <input
            id="key-name"
            name="name"
            className="input"
            placeholder="e.g. Build server"
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "key-name-error" : undefined}
          />
        </div>
        <button type="submit" className="btn-primary" disabled={pending}>
          {pending ? "Creating…" : "Create key"}
        </button>
        {error && (
          <p id="key-name-error" role="alert" className="field-error w-full">
            {error}
          </p>
        )}
      </form>

      {created && (
        <div role="status" className="card space-y-2 border-emerald-300 p-4 dark:border-emerald-800">
          <p className="text-sm font-medium">
            {created.key ? `Your new key “${created.name}” and its webhook signing secret.` : `The new webhook signing secret of “${created.name}”.`} Copy{" "}
            {created.key ? "them" : "it"} now: {created.key ? "they" : "it"} will not be shown again.
          </p>
          {created.key && <OneTimeValue key={created.key} label="API key" value={created.key} testId="new-key" />}
          <OneTimeValue
            key={created.signingSecret}
            label="Signing secret (verifies the notifications sent to your callback_url)"
            value={created.signingSecret}
            testId="new-signing-secret"
          />
        </div>
      )}

      {keys.length === 0 ? (
        <p className="text-sm text-zinc-500 dark:text-zinc-400">No keys yet. Create one to call the portal from your programs.</p>
      ) : (
        <div className="card overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-500 dark:border-zinc-800 dark:text-zinc-400">
              <tr>
                <th className="px-4 py-2 font-medium">Name</th>
                <th className="px-4 py-2 font-medium">Key</th>
                {/* On a phone the dates go under the name, so Revoke stays on screen. */}
                <th className="hidden px-4 py-2 font-medium sm:table-cell">Created</th>
                <th className="hidden px-4 py-2 font-medium sm:table-cell">Last used</th>
                <th className="px-4 py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800/60">
                  <td className="px-4 py-2 font-medium">
                    {k.name}
                    <span className="block text-xs font-normal text-zinc-600 sm:hidden dark:text-zinc-400">
                      Last used {k.lastUsedAt ? <RelativeTime iso={k.lastUsedAt} /> : "never"}
                    </span>
                  </td>
                  <td className="px-4 py-2 font-mono text-xs">{k.prefix}…</td>
                  <td className="hidden px-4 py-2 sm:table-cell">
                    <RelativeTime iso={k.createdAt} />
                  </td>
                  <td className="hidden px-4 py-2 sm:table-cell">
                    {k.lastUsedAt ? <RelativeTime iso={k.lastUsedAt} /> : <span className="text-zinc-500 dark:text-zinc-400">Never</span>}
                  </td>
                  <td className="px-4 py-2 text-right">
                    {k.revokedAt ? (
                      <span className="text-xs text-zinc-500 dark:text-zinc-400">Revoked</span>
                    ) : (
                      <div className="flex flex-col items-end gap-2 sm:flex-row sm:justify-end">
                        <button type="button" className="btn-secondary min-h-8 px-3" onClick={() => rotate(k)}>
                          {k.hasSigningSecret ? "Rotate signing secret" : "Create signing secret"}
                        </button>
                        <button type="button" className="btn-danger min-h-8 px-3" onClick={() => revoke(k)}>
                          Revoke
                        </button>
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
