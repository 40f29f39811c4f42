"use client";

import Link from "next/link";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { safeCallbackPath } from "@/lib/auth/safe-callback-path";
import { signInErrorMessage } from "@/lib/auth/sign-in-errors";

export function SignInForm(props: { callbackUrl: string; oauth: { id: string; name: string }[]; initialError?: string }) {
  const [error, setError] = useState(props.initialError ? signInErrorMessage(props.initialError) : "");
  // Checked again here: the form is the one that navigates.
  const callbackUrl = safeCallbackPath(props.callbackUrl);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setPending(true);
    setError("");
    const res = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    if (!res || res.error) {
      setPending(false);
      setError(signInErrorMessage(res?.error ?? "CredentialsSignin"));
      return;
    }
    window.location.assign(callbackUrl);
  }

  return (
    <div className="space-y-5">
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        <div>
          <label htmlFor="email" className="label">
            Email
          </label>
          {/* biome-ignore lint/a11y/noAutofocus: signing in is this page's only purpose. */}
          <input id="email" name="email" type="email" autoComplete="email" required className="input" autoFocus />
        </div>
        <div>
          <label htmlFor="password" className="label">
            Password
          </label>
          <input id="password" name="password" type="password" autoComplete="current-password" required className="input" />
        </div>
        {error && (
          <p role="alert" className="field-error">
            {error}
          </p>
        )}
        <button type="submit" className="btn-primary w-full" disabled={pending}>
          {pending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      {props.oauth.length > 0 && (
        <div className="space-y-2 border-t border-zinc-200 pt-5 dark:border-zinc-800">
          {props.oauth.map((p) => (
            <button key={p.id} type="button" className="btn-secondary w-full" onClick={() => signIn(p.id, { callbackUrl })}>
              Continue with {p.name}
            </button>
          ))}
        </div>
      )}
      <p className="text-center text-sm text-zinc-500 dark:text-zinc-400">
        New here?{" "}
        <Link href="/signup" className="font-medium text-brand-600 hover:underline dark:text-brand-400">
          Create an account
        </Link>
      </p>
    </div>
  );
}
