import Link from "next/link";

// Someone arriving signed out learns what the portal is before being asked for an account.
const POINTS = [
  ["Describe it, get it", "Type a prompt, pick a shape and how many images: Kling AI draws them, and the card fills in as they arrive."],
  ["Everything kept", "Every prompt, setting and image stays in your private history, archived here even after Kling's links expire."],
  ["Your scripts too", "The same Kling text-to-image API, with your own keys: existing code works by changing its base URL."],
] as const;

export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <main className="mx-auto flex min-h-dvh max-w-5xl flex-col items-center justify-center gap-10 px-4 py-12 lg:flex-row lg:items-center lg:gap-16">
      <section aria-labelledby="about-title" className="w-full max-w-sm lg:max-w-md">
        <Link href="/" className="mb-4 flex items-center gap-2 text-lg font-semibold">
          <span aria-hidden className="grid size-8 place-items-center rounded-lg bg-brand-600 text-white">
            K
          </span>
          Kling Portal
        </Link>
        <p id="about-title" className="text-2xl font-semibold tracking-tight lg:text-3xl">
          Images from your words, with Kling AI.
        </p>
        <ul className="mt-6 hidden space-y-4 sm:block">
          {POINTS.map(([title, text]) => (
            <li key={title}>
              <p className="text-sm font-medium">{title}</p>
              <p className="text-sm text-zinc-600 dark:text-zinc-400">{text}</p>
            </li>
          ))}
        </ul>
      </section>
      <div className="card w-full max-w-sm p-6 sm:p-8">{children}</div>
    </main>
  );
}
