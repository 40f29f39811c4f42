"use client";

import Link from "next/link";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { signUpSchema } from "@/lib/auth/schema";

type Errors = Partial<Record<"email" | "password" | "name" | "form", string>>;

export function SignUpForm() {
  const [errors, setErrors] = useState<Errors>({});
  const [pending, setPending] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const input = { email: String(form.get("email") ?? ""), password: String(form.get("password") ?? ""), name: String(form.get("name") ?? "") || undefined };
    // The same schema the server applies, so most mistakes show before a round trip.
    const parsed = signUpSchema.safeParse(input);
    if (!parsed.success) {
      const next: Errors = {};
      for (const issue of parsed.error.issues) next[issue.path[0] as keyof Errors] ??= issue.message;
      setErrors(next);
      return;
    }
    setPending(true);
    setErrors({});
    const res = await fetch("/api/signup", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(parsed.data) });
    if (!res.ok) {
      const body = await res.json().catch(() => null);
      setErrors({ ...(body?.error?.fields ?? {}), form: body?.error?.fields ? undefined : (body?.error?.message ?? "Sign-up failed. Try again.") });
      setPending(false);
      return;
    }
    const signedIn = await signIn("credentials", { email: parsed.data.email, password: parsed.data.password, redirect: false });
    window.location.assign(signedIn?.ok ? "/" : "/signin");
  }

  const field = (name: "email" | "password" | "name") => ({
    id: name,
    name,
    "aria-invalid": errors[name] ? true : undefined,
    "aria-describedby": errors[name] ? `${name}-error` : undefined,
    className: "input",
  });

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <div>
        <label htmlFor="name" className="label">
          Name <span className="font-normal text-zinc-500 dark:text-zinc-400">(optional)</span>
        </label>
        <input {...field("name")} type="text" autoComplete="name" />
        {errors.name && (
          <p id="name-error" className="field-error">
            {errors.name}
          </p>
        )}
      </div>
      <div>
        <label htmlFor="email" className="label">
          Email
        </label>
        {/* biome-ignore lint/a11y/noAutofocus: signing up is this page's only purpose. */}
        <input {...field("email")} type="email" autoComplete="email" required autoFocus />
        {errors.email && (
          <p id="email-error" className="field-error">
            {errors.email}
          </p>
        )}
      </div>
      <div>
        <label htmlFor="password" className="label">
          Password
        </label>
        <input {...field("password")} type="password" autoComplete="new-password" required minLength={8} />
        {errors.password ? (
          <p id="password-error" className="field-error">
            {errors.password}
          </p>
        ) : (
          <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">At least 8 characters.</p>
        )}
      </div>
      {errors.form && (
        <p role="alert" className="field-error">
          {errors.form}
        </p>
      )}
      <button type="submit" className="btn-primary w-full" disabled={pending}>
        {pending ? "Creating account…" : "Create account"}
      </button>
      <p className="text-center text-sm text-zinc-500 dark:text-zinc-400">
        Already have an account?{" "}
        <Link href="/signin" className="font-medium text-brand-600 hover:underline dark:text-brand-400">
          Sign in
        </Link>
      </p>
    </form>
  );
}
