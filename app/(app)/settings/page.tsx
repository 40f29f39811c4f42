import type { Metadata } from "next";
import Link from "next/link";
import { DeleteAccountForm } from "@/app/components/settings/delete-account-form";
import { PasswordForm } from "@/app/components/settings/password-form";
import { ProfileForm } from "@/app/components/settings/profile-form";
import { ShareLinks } from "@/app/components/settings/share-links";
import { requireUser } from "@/lib/auth/session";
import { listShares } from "@/lib/shares/shares";

export const metadata: Metadata = { title: "Settings" };

function Section(props: { id: string; title: string; description?: string; children: React.ReactNode; tone?: "danger" }) {
  return (
    <section aria-labelledby={`${props.id}-title`} className={`card p-4 sm:p-6 ${props.tone === "danger" ? "border-red-200 dark:border-red-900/60" : ""}`}>
      <h2 id={`${props.id}-title`} className="text-base font-semibold">
        {props.title}
      </h2>
      {props.description && <p className="mb-4 mt-1 text-sm text-zinc-500 dark:text-zinc-400">{props.description}</p>}
      <div className={props.description ? "" : "mt-4"}>{props.children}</div>
    </section>
  );
}

export default async function SettingsPage() {
  const user = await requireUser("/settings");
  const shares = await listShares(user.id);
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Settings</h1>
        <p className="text-sm text-zinc-500 dark:text-zinc-400">Your profile, password, share links and data.</p>
      </div>
      <nav aria-label="More settings" className="grid gap-3 sm:grid-cols-2">
        <Link href="/settings/keys" className="card block p-4 hover:border-brand-500">
          <span className="font-medium">API keys →</span>
          <span className="block text-sm text-zinc-500 dark:text-zinc-400">Keys for programs, and their webhook signing secrets</span>
        </Link>
        <Link href="/settings/account" className="card block p-4 hover:border-brand-500">
          <span className="font-medium">Linked accounts →</span>
          <span className="block text-sm text-zinc-500 dark:text-zinc-400">Sign in with GitHub or Google too</span>
        </Link>
      </nav>
      <Section id="profile" title="Profile">
        <ProfileForm email={user.email} name={user.name} />
      </Section>
      <Section id="password" title="Password" description="Saving a new password signs you out on every other device and browser.">
        <PasswordForm hasPassword={user.hasPassword} />
      </Section>
      <Section id="shares" title="Share links" description="Anyone with one of these links can see what it shares, without signing in, until you revoke it.">
        <ShareLinks initial={shares} />
      </Section>
      <Section
        id="export"
        title="Export your data"
        description="A ZIP of every image you have generated, with tasks.json listing every task and its parameters."
      >
        <a href="/api/account/export" download className="btn-secondary">
          Download ZIP
        </a>
      </Section>
      <Section id="delete" title="Delete account" tone="danger">
        <DeleteAccountForm email={user.email} />
      </Section>
    </div>
  );
}
