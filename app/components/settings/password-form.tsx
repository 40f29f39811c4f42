"use client";

// Settings → Password: change it (current one required), or set a first one on an
// account made with GitHub or Google. Every other session is signed out.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { changePasswordSchema } from "@/lib/account/schema";
import { sendJson } from "../send-json";

type Field = "currentPassword" | "newPassword" | "confirm";

export function PasswordForm({ hasPassword }: { hasPassword: boolean }) {
  const router = useRouter();
  const [values, setValues] = useState<Record<Field, string>>({ currentPassword: "", newPassword: "", confirm: "" });
  const [errors, setErrors] = useState<Partial<Record<Field | "form", string>>>({});
  const [done, setDone] = useState(false);
  const [pending, setPending] = useState(false);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setDone(false);
    const parsed = changePasswordSchema.safeParse({ currentPassword: hasPassword ? values.currentPassword : undefined, newPassword: values.newPassword });
    const found: Partial<Record<Field | "form", string>> = {};
    if (!parsed.success) for (const issue of parsed.error.issues) found[(issue.path[0] as Field) ?? "form"] ??= issue.message;
    if (hasPassword && !values.currentPassword) found.currentPassword = "Enter your current password";
    if (values.confirm !== values.newPassword) found.confirm = "The two new passwords differ";
    setErrors(found);
    if (Object.keys(found).length || !parsed.success) return;
    setPending(true);
    const res = await sendJson("/api/account/password", "POST", parsed.data);
    setPending(false);
    if (!res.ok)
      return setErrors({
        currentPassword: res.fields.currentPassword,
        newPassword: res.fields.newPassword,
        form: res.fields.currentPassword || res.fields.newPassword ? undefined : res.message,
      });
    setValues({ currentPassword: "", newPassword: "", confirm: "" });
    setDone(true);
    router.refresh();
  }

  const field = (id: Field, label: string, autoComplete: string) => (
    <div>
      <label htmlFor={`pw-${id}`} className="label">
        {label}
      </label>
      <input
        id={`pw-${id}`}
        type="password"
        className="input"
        autoComplete={autoComplete}
        value={values[id]}
        onChange={(e) => setValues((v) => ({ ...v, [id]: e.target.value }))}
        aria-invalid={errors[id] ? true : undefined}
        aria-describedby={errors[id] ? `pw-${id}-error` : undefined}
      />
      {errors[id] && (
        <p id={`pw-${id}-error`} role="alert" className="field-error">
          {errors[id]}
        </p>
      )}
    </div>
  );

  return (
    <form onSubmit={submit} noValidate className="space-y-3">
      {!hasPassword && (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Your account signs in with GitHub or Google. Set a password to sign in with your email too.</p>
      )}
      {hasPassword && field("currentPassword", "Current password", "current-password")}
      <div className="grid gap-3 sm:grid-cols-2">
        {field("newPassword", "New password", "new-password")}
        {field("confirm", "Repeat new password", "new-password")}
      </div>
      {errors.form && (
        <p role="alert" className="field-error">
          {errors.form}
        </p>
      )}
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className="btn-primary" disabled={pending}>
          {pending ? "Saving…" : hasPassword ? "Change password" : "Set password"}
        </button>
        {done && (
          <span role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
            Password saved. You were signed out everywhere else.
          </span>
        )}
      </div>
    </form>
  );
}
