"use client";

// Settings → Delete account: typing the account's email arms the button; the
// server checks it again and removes everything, signing out everywhere.
import { useState } from "react";
import { sendJson } from "../send-json";

export function DeleteAccountForm({ email }: { email: string }) {
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const armed = confirm.trim().toLowerCase() === email.toLowerCase();

  async function remove(e: React.FormEvent) {
    e.preventDefault();
    if (!armed) return setError("Type your email address exactly to confirm");
    setPending(true);
    const res = await sendJson("/api/account", "DELETE", { confirm });
    if (!res.ok) {
      setPending(false);
      return setError(res.fields.confirm ?? res.message);
    }
    // The session is gone: a full load, not a client navigation, so nothing of it stays in memory.
    window.location.assign("/signin?deleted=1");
  }

  return (
    <form onSubmit={remove} noValidate className="space-y-3">
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        This deletes your account, every task and image, your reference uploads and your API keys, and signs you out on every device. It cannot be undone:
        export your data first if you want to keep it.
      </p>
      <div>
        <label htmlFor="delete-confirm" className="label">
          Type <span className="font-mono">{email}</span> to confirm
        </label>
        <input
          id="delete-confirm"
          className="input"
          autoComplete="off"
          spellCheck={false}
          value={confirm}
          onChange={(e) => {
            setConfirm(e.target.value);
            setError(null);
          }}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "delete-confirm-error" : undefined}
        />
        {error && (
          <p id="delete-confirm-error" role="alert" className="field-error">
            {error}
          </p>
        )}
      </div>
      <button type="submit" className="btn-danger" disabled={!armed || pending}>
        {pending ? "Deleting…" : "Delete my account"}
      </button>
    </form>
  );
}
