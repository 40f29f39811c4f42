"use client";

// Settings → Profile: the display name (the email is the sign-in and stays as it is).
import { useRouter } from "next/navigation";
import { useState } from "react";
import { updateProfileSchema } from "@/lib/account/schema";
import { sendJson } from "../send-json";

export function ProfileForm({ email, name: initialName }: { email: string; name: string | null }) {
  const router = useRouter();
  const [name, setName] = useState(initialName ?? "");
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [pending, setPending] = useState(false);

  async function save(e: React.FormEvent) {
    e.preventDefault();
    setSaved(false);
    const parsed = updateProfileSchema.safeParse({ name });
    if (!parsed.success) return setError(parsed.error.issues[0].message);
    setPending(true);
    const res = await sendJson("/api/account", "PATCH", parsed.data);
    setPending(false);
    if (!res.ok) return setError(res.fields.name ?? res.message);
    setError(null);
    setSaved(true);
    router.refresh();
  }

  return (
    <form onSubmit={save} noValidate className="space-y-3">
      <div>
        <label htmlFor="settings-email" className="label">
          Email
        </label>
        <input id="settings-email" className="input bg-zinc-50 text-zinc-500 dark:text-zinc-400 dark:bg-zinc-950" value={email} readOnly aria-readonly />
      </div>
      <div>
        <label htmlFor="settings-name" className="label">
          Name
        </label>
        <input
          id="settings-name"
          name="name"
          className="input"
          value={name}
          maxLength={100}
          autoComplete="name"
          onChange={(e) => {
            setName(e.target.value);
            setSaved(false);
          }}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "settings-name-error" : undefined}
        />
        {error && (
          <p id="settings-name-error" role="alert" className="field-error">
            {error}
          </p>
        )}
      </div>
      <div className="flex items-center gap-3">
        <button type="submit" className="btn-primary" disabled={pending}>
          {pending ? "Saving…" : "Save name"}
        </button>
        {saved && (
          <span role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
            Saved
          </span>
        )}
      </div>
    </form>
  );
}
