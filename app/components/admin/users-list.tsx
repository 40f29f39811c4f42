// The console's users: one row each on a wide screen, one card each on a phone.
// Budget: images charged this month (less refunds) of the month's limit, from the usage ledger.
import Link from "next/link";
import type { AdminUser } from "@/lib/admin/schema";
import { RelativeTime } from "../relative-time";
import { DisableSwitch } from "./disable-switch";

const COLS = "sm:grid sm:grid-cols-[minmax(0,2.2fr)_repeat(5,minmax(0,1fr))_8.5rem] sm:items-center sm:gap-4";

function Cell({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex justify-between gap-2 py-0.5 text-sm sm:block sm:py-0">
      <span className="text-zinc-500 dark:text-zinc-400 sm:hidden">{label}</span>
      <span className="tabular-nums">{children}</span>
    </div>
  );
}

export function UsersList({ users, selfId, nextHref }: { users: AdminUser[]; selfId: string; nextHref: string | null }) {
  if (users.length === 0) return <p className="card p-4 text-sm text-zinc-500 dark:text-zinc-400">No users match.</p>;
  return (
    <div className="card">
      <div className={`hidden border-b border-zinc-200 px-4 py-2 text-xs font-medium uppercase text-zinc-500 dark:text-zinc-400 dark:border-zinc-800 ${COLS}`}>
        <span>User</span>
        <span>Images this month</span>
        <span>Budget this month</span>
        <span>Tasks this month</span>
        <span>Last active</span>
        <span>API keys</span>
        <span className="sr-only">Status</span>
      </div>
      <ul>
        {users.map((u) => (
          <li key={u.id} data-user={u.email} className={`border-b border-zinc-100 px-4 py-3 last:border-0 dark:border-zinc-800/60 ${COLS}`}>
            <div className="mb-1 min-w-0 sm:mb-0">
              <div className="truncate font-medium" title={u.email}>
                {u.email}
              </div>
              <div className="flex flex-wrap items-center gap-1.5 text-xs text-zinc-500 dark:text-zinc-400">
                {u.name && <span className="truncate">{u.name}</span>}
                {u.admin && (
                  <span className="rounded-full bg-brand-50 px-1.5 py-0.5 font-medium text-brand-700 dark:bg-brand-700/30 dark:text-brand-50">
                    Admin{u.admin === "env" ? " (ADMIN_EMAILS)" : ""}
                  </span>
                )}
                <span>
                  joined <RelativeTime iso={u.createdAt} />
                </span>
              </div>
            </div>
            <Cell label="Images this month">{u.imagesThisMonth}</Cell>
            <Cell label="Budget this month">
              {u.budget.used} / {u.budget.limit ?? "unlimited"}
            </Cell>
            <Cell label="Tasks this month">{u.tasksThisMonth}</Cell>
            <Cell label="Last active">
              {u.lastActiveAt ? <RelativeTime iso={u.lastActiveAt} /> : <span className="text-zinc-500 dark:text-zinc-400">Never</span>}
            </Cell>
            <Cell label="API keys">
              {u.apiKeys.active} active{u.apiKeys.revoked ? ` · ${u.apiKeys.revoked} revoked` : ""}
            </Cell>
            <div className="mt-1 flex justify-end sm:mt-0">
              <DisableSwitch userId={u.id} email={u.email} disabled={u.disabled} self={u.id === selfId} />
            </div>
          </li>
        ))}
      </ul>
      {nextHref && (
        <div className="border-t border-zinc-200 p-3 text-center dark:border-zinc-800">
          <Link href={nextHref} className="btn-secondary">
            Next users
          </Link>
        </div>
      )}
    </div>
  );
}
