import type { Metadata } from "next";
import { SignUpForm } from "./signup-form";

export const metadata: Metadata = { title: "Create account" };

export default function SignUpPage() {
  return (
    <>
      <h1 className="mb-1 text-xl font-semibold">Create your account</h1>
      <p className="mb-6 text-sm text-zinc-500 dark:text-zinc-400">Describe an image, get it in seconds, keep it forever.</p>
      <SignUpForm />
    </>
  );
}
