"use client";

// The user's public share links: what each shows, its URL to copy, and Revoke
// (the page and its images are 404 from the next request on).
import Link from "next/link";
import { useState } from "react";
import type { ShareDto } from "@/lib/shares/schema";
import { apiRequest } from "../api-request";
import { RelativeTime } from "../relative-time";

function CopyButton({ value }: { value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="btn-secondary min-h-8 px-3"
      onClick={async () => {
        setCopied(
          await navigator.clipboard.writeText(value).then(
            () => true,
            () => false,
          ),
        );
      }}
    >
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

export function ShareLinks({ initial }: { initial: ShareDto[] }) {
  const [shares, setShares] = useState(initial);
  const [error, setError] = useState<string | null>(null);

  async function revoke(share: ShareDto) {
    if (!window.confirm("Revoke this link? Anyone who has it will get “not found” from now on.")) return;
    setError(null);
    const res = await apiRequest("DELETE", `/api/shares/${share.id}`);
    // 404: already revoked (another tab): gone either way.
    if (!res.ok && res.status !== 404) return setError(`Could not revoke the link: ${res.message}`);
    setShares((list) => list.filter((s) => s.id !== share.id));
  }

  if (shares.length === 0) {
    return <p className="text-sm text-zinc-500 dark:text-zinc-400">No share links. Make one from an image’s menu in the gallery (“Share link”).</p>;
  }
  return (
    <div className="space-y-3">
      {error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
      <ul className="divide-y divide-zinc-100 dark:divide-zinc-800/60" aria-label="Share links">
        {shares.map((s) => (
          <li key={s.id} data-testid="share-link" className="space-y-2 py-3 first:pt-0 last:pb-0">
            <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
              <Link href={`/tasks/${s.taskId}`} className="min-w-0 max-w-full truncate font-medium hover:underline" title={s.prompt}>
                {s.prompt}
              </Link>
              <span className="text-xs text-zinc-500 dark:text-zinc-400">
                {s.index === null ? "All images" : `Image ${s.index + 1}`} · made <RelativeTime iso={s.createdAt} />
              </span>
            </div>
            <div className="flex items-center gap-2">
              <code className="block min-w-0 flex-1 truncate rounded-lg bg-zinc-100 px-3 py-1.5 font-mono text-xs dark:bg-zinc-800">{s.url}</code>
              <CopyButton value={s.url} />
              <button type="button" className="btn-danger min-h-8 px-3" onClick={() => revoke(s)} aria-label={`Revoke the link to “${s.prompt.slice(0, 60)}”`}>
                Revoke
              </button>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
