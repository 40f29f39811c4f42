import Link from "next/link";

export default function NotFound() {
  return (
    <div className="card mx-auto max-w-md space-y-2 p-8 text-center">
      <h1 className="text-lg font-semibold">Not found</h1>
      <p className="text-sm text-zinc-500 dark:text-zinc-400">There is nothing here, or it belongs to someone else.</p>
      <Link href="/" className="text-sm text-brand-600 hover:underline dark:text-brand-400">
        Back to your images
      </Link>
    </div>
  );
}
