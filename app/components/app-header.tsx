import Link from "next/link";
import type { UsageDto } from "@/lib/usage/schema";
import { UsageMeter } from "./usage-meter";
import { UserMenu } from "./user-menu";

export function AppHeader(props: { user: { email: string; name: string | null; isAdmin: boolean }; provider: string; usage: UsageDto }) {
  return (
    <header className="sticky top-0 z-30 border-b border-zinc-200 bg-white/80 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/80">
      <div className="mx-auto flex h-14 max-w-7xl items-center gap-3 px-4 sm:px-6">
        <Link href="/" className="flex items-center gap-2 font-semibold">
          <span aria-hidden className="grid size-7 place-items-center rounded-lg bg-brand-600 text-sm text-white">
            K
          </span>
          {/* Read out on phones too, where only the mark shows. */}
          <span className="sr-only sm:not-sr-only">Kling Portal</span>
        </Link>
        {props.provider === "local" && (
          <Link
            href="/docs#providers"
            title="Images come from the built-in emulator. Set KLING_PROVIDER=appypie or kling for real generation."
            className="rounded-full bg-amber-100 px-2.5 py-0.5 text-xs font-medium text-amber-900 dark:bg-amber-900/40 dark:text-amber-200"
          >
            Local previews
          </Link>
        )}
        {/* From tablet width up: on a phone the header has no room for it (a refused submit still says what is left). */}
        <div className="ml-auto hidden w-44 md:block">
          <UsageMeter initial={props.usage} />
        </div>
        <nav aria-label="Main" className="ml-auto flex items-center gap-1 text-sm md:ml-0">
          <Link href="/" className="rounded-md px-3 py-2 hover:bg-zinc-100 dark:hover:bg-zinc-900">
            Create
          </Link>
          <Link href="/docs" className="rounded-md px-3 py-2 hover:bg-zinc-100 dark:hover:bg-zinc-900">
            API
          </Link>
          {props.user.isAdmin && (
            <Link href="/admin" className="rounded-md px-3 py-2 hover:bg-zinc-100 dark:hover:bg-zinc-900">
              Admin
            </Link>
          )}
          <UserMenu email={props.user.email} name={props.user.name} isAdmin={props.user.isAdmin} />
        </nav>
      </div>
    </header>
  );
}
