"use client";

import Link from "next/link";
import { signOut } from "next-auth/react";
import { useEffect, useRef, useState } from "react";

export function UserMenu({ email, name, isAdmin }: { email: string; name: string | null; isAdmin: boolean }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === "Escape" : !ref.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);

  const initial = (name || email).charAt(0).toUpperCase();
  return (
    <div ref={ref} className="relative">
      <button
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label="Account menu"
        onClick={() => setOpen((v) => !v)}
        className="ml-1 grid size-9 place-items-center rounded-full bg-zinc-200 text-sm font-semibold dark:bg-zinc-800"
      >
        {initial}
      </button>
      {open && (
        <div role="menu" className="card absolute right-0 mt-2 w-60 p-1.5 text-sm">
          <div className="px-3 py-2">
            {name && <div className="font-medium">{name}</div>}
            <div className="truncate text-zinc-500 dark:text-zinc-400">{email}</div>
          </div>
          {[
            { href: "/settings", label: "Settings" },
            { href: "/settings/keys", label: "API keys" },
            { href: "/settings/account", label: "Linked accounts" },
            ...(isAdmin ? [{ href: "/admin", label: "Admin console" }] : []),
          ].map((item) => (
            <Link
              key={item.href}
              role="menuitem"
              href={item.href}
              className="block rounded-md px-3 py-2 hover:bg-zinc-100 dark:hover:bg-zinc-800"
              onClick={() => setOpen(false)}
            >
              {item.label}
            </Link>
          ))}
          <button
            role="menuitem"
            type="button"
            className="block w-full rounded-md px-3 py-2 text-left hover:bg-zinc-100 dark:hover:bg-zinc-800"
            onClick={() => signOut({ callbackUrl: "/signin" })}
          >
            Sign out
          </button>
        </div>
      )}
    </div>
  );
}
