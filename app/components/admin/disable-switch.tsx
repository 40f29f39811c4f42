"use client";

// A user's on/off switch in the console: disabling ends their sessions and stops their API keys at once.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { sendJson } from "../send-json";

export function DisableSwitch({ userId, email, disabled, self }: { userId: string; email: string; disabled: boolean; self: boolean }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function toggle() {
    const next = !disabled;
    if (next && !window.confirm(`Disable ${email}? Their sessions end and their API keys answer 403 at once.`)) return;
    setPending(true);
    const res = await sendJson(`/api/admin/users/${encodeURIComponent(userId)}`, "PATCH", { disabled: next });
    setPending(false);
    if (!res.ok) return setError(res.fields.disabled ?? res.message);
    setError(null);
    router.refresh();
  }

  return (
    <div className="flex flex-col items-end gap-1">
      <button
        type="button"
        role="switch"
        aria-checked={!disabled}
        aria-label={`${email}: ${disabled ? "disabled" : "active"}`}
        title={self ? "You cannot disable your own account" : undefined}
        disabled={pending || self}
        onClick={toggle}
        className="inline-flex min-h-10 items-center gap-2 rounded-lg px-2 text-sm disabled:cursor-not-allowed disabled:opacity-50"
      >
        <span
          aria-hidden
          className={`relative inline-block h-6 w-10 rounded-full transition-colors ${disabled ? "bg-zinc-300 dark:bg-zinc-700" : "bg-emerald-500"}`}
        >
          <span className={`absolute top-0.5 size-5 rounded-full bg-white shadow transition-all ${disabled ? "left-0.5" : "left-[1.125rem]"}`} />
        </span>
        <span className="w-16 text-left">{disabled ? "Disabled" : "Active"}</span>
      </button>
      {error && (
        <p role="alert" className="field-error text-xs">
          {error}
        </p>
      )}
    </div>
  );
}
