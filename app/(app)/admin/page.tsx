import type { Metadata } from "next";
import { AutoRefresh } from "@/app/components/admin/auto-refresh";
import { FailedTasks } from "@/app/components/admin/failed-tasks";
import { SystemPanel } from "@/app/components/admin/system-panel";
import { UsersList } from "@/app/components/admin/users-list";
import { requireAdminPage } from "@/lib/admin/admin-route";
import { listRecentFailedTasks } from "@/lib/admin/failed-tasks";
import { listUsersForAdmin } from "@/lib/admin/list-users";
import { listUsersQuerySchema } from "@/lib/admin/schema";
import { getSystemSnapshot } from "@/lib/ops/system-snapshot";

export const metadata: Metadata = { title: "Admin" };

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function AdminPage({ searchParams }: { searchParams: Search }) {
  const admin = await requireAdminPage();
  const raw = await searchParams;
  const parsed = listUsersQuerySchema.safeParse({
    q: typeof raw.q === "string" ? raw.q : undefined,
    cursor: typeof raw.cursor === "string" ? raw.cursor : undefined,
  });
  const query = parsed.success ? parsed.data : listUsersQuerySchema.parse({});
  const [snapshot, users, failed] = await Promise.all([getSystemSnapshot(), listUsersForAdmin(query), listRecentFailedTasks(20)]);
  const nextHref = users.nextCursor ? `/admin?${new URLSearchParams({ ...(query.q ? { q: query.q } : {}), cursor: users.nextCursor })}` : null;
  return (
    <div className="space-y-8">
      <AutoRefresh seconds={15} />
      <div>
        <h1 className="text-xl font-semibold">Admin console</h1>
        <p className="text-sm text-zinc-500 dark:text-zinc-400">Who uses the portal, and how it is doing.</p>
      </div>
      <section aria-labelledby="system-title" className="space-y-3">
        <h2 id="system-title" className="text-base font-semibold">
          System
        </h2>
        <SystemPanel snapshot={snapshot} />
      </section>
      <section aria-labelledby="users-title" className="space-y-3">
        <div className="flex flex-wrap items-end justify-between gap-3">
          <h2 id="users-title" className="text-base font-semibold">
            Users
          </h2>
          <search className="w-full sm:w-auto">
            <form action="/admin" className="flex w-full gap-2 sm:w-auto">
              <label htmlFor="admin-q" className="sr-only">
                Search users by email or name
              </label>
              <input id="admin-q" name="q" defaultValue={query.q ?? ""} placeholder="Search email or name" className="input sm:w-64" />
              <button type="submit" className="btn-secondary">
                Search
              </button>
            </form>
          </search>
        </div>
        {!parsed.success && (
          <p role="alert" className="field-error">
            {parsed.error.issues[0].message}
          </p>
        )}
        <UsersList users={users.users} selfId={admin.id} nextHref={nextHref} />
      </section>
      <section aria-labelledby="failed-title" className="space-y-3">
        <h2 id="failed-title" className="text-base font-semibold">
          Recent failed tasks
        </h2>
        <FailedTasks tasks={failed} />
      </section>
    </div>
  );
}
