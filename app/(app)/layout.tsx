import { headers } from "next/headers";
import { getSessionUser } from "@/lib/auth/session";
import { getConfig } from "@/lib/config";
import { AppHeader } from "@/app/components/app-header";
import { FinishedToasts } from "@/app/components/finished-toasts";
import { LiveTasks } from "@/app/components/live-tasks";
import { StyleNonce } from "@/app/components/style-nonce";
import { Toaster } from "@/app/components/toaster";
import { getUsage } from "@/lib/usage/budget";
import { toUsageDto } from "@/lib/usage/schema";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const user = await getSessionUser();
  // Each page calls requireUser() with its own path, so sign-in can return there.
  if (!user) return <>{children}</>;
  const provider = getConfig().KLING_PROVIDER;
  const [nonce, usage] = await Promise.all([headers().then((h) => h.get("x-nonce")), getUsage(user.id)]);
  // One event stream for the whole signed-in session: the layout stays mounted
  // across page changes, and the stream catches up from the moment it was rendered.
  const renderedAt = Date.now();
  return (
    <div className="flex min-h-dvh flex-col">
      <StyleNonce nonce={nonce} />
      <LiveTasks since={renderedAt} />
      <FinishedToasts />
      <AppHeader user={{ email: user.email, name: user.name, isAdmin: user.isAdmin }} provider={provider} usage={toUsageDto(usage)} />
      <main className="mx-auto w-full max-w-7xl flex-1 px-4 py-6 sm:px-6">{children}</main>
      <Toaster />
    </div>
  );
}
