// Unmatched URLs: our own page rather than Next.js's built-in one, whose inline
// <style> carries no nonce and is refused by the page CSP.
import Link from "next/link";

export default function NotFound() {
  return (
    <main className="grid min-h-dvh place-items-center px-4">
      <div className="card max-w-md space-y-2 p-8 text-center">
        <h1 className="text-lg font-semibold">Not found</h1>
        <p className="text-sm text-zinc-500 dark:text-zinc-400">There is nothing at this address.</p>
        <Link href="/" className="text-sm text-brand-600 hover:underline dark:text-brand-400">
          Back to your images
        </Link>
      </div>
    </main>
  );
}
