"use client";

// Toasts on Radix's accessible primitive (announced politely, swipe or Esc to
// dismiss, paused on hover and focus), driven by `toast()` from anywhere in the
// app. Styled here: Radix ships no CSS, so nothing is injected at run time
// (the page CSP refuses <style> without its nonce).
import * as Toast from "@radix-ui/react-toast";
import { useSyncExternalStore } from "react";

export type ToastInput = {
  title: string;
  description?: string;
  /** A thumbnail shown beside the text. */
  image?: string;
  action?: { label: string; onClick(): void };
  /** Milliseconds; 5 s unless said. */
  duration?: number;
  /** Called when the toast closes without its action (timeout, swipe, ✕). */
  onExpire?(): void;
  tone?: "default" | "error";
};
type Entry = ToastInput & { id: number; acted: boolean };

let entries: Entry[] = [];
let seq = 0;
const listeners = new Set<() => void>();
const emit = () => {
  for (const l of listeners) l();
};

export function toast(input: ToastInput): number {
  const id = ++seq;
  // At most four at once: the oldest make room.
  entries = [...entries.slice(-3), { ...input, id, acted: false }];
  emit();
  return id;
}

function remove(id: number) {
  const entry = entries.find((e) => e.id === id);
  entries = entries.filter((e) => e.id !== id);
  emit();
  if (entry && !entry.acted) entry.onExpire?.();
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => void listeners.delete(l);
};
const EMPTY: Entry[] = [];

export function Toaster() {
  const list = useSyncExternalStore(
    subscribe,
    () => entries,
    () => EMPTY,
  );
  return (
    <Toast.Provider swipeDirection="right" label="Notification">
      {list.map((t) => (
        <Toast.Root
          key={t.id}
          duration={t.duration ?? 5000}
          onOpenChange={(open) => !open && remove(t.id)}
          data-testid="toast"
          className={`card flex items-start gap-3 p-3 text-sm shadow-lg data-[state=closed]:opacity-0 data-[swipe=move]:translate-x-[var(--radix-toast-swipe-move-x)] ${t.tone === "error" ? "border-red-300 dark:border-red-900" : ""}`}
        >
          {t.image && <img src={t.image} alt="" className="size-12 shrink-0 rounded-md object-cover" />}
          <div className="min-w-0 flex-1">
            <Toast.Title className="font-medium">{t.title}</Toast.Title>
            {t.description && <Toast.Description className="mt-0.5 line-clamp-2 text-zinc-600 dark:text-zinc-400">{t.description}</Toast.Description>}
          </div>
          {t.action && (
            <Toast.Action altText={t.action.label} asChild>
              <button
                type="button"
                className="btn-secondary min-h-8 px-3"
                onClick={() => {
                  t.acted = true;
                  t.action!.onClick();
                }}
              >
                {t.action.label}
              </button>
            </Toast.Action>
          )}
          <Toast.Close
            aria-label="Dismiss"
            className="grid size-8 place-items-center rounded-md text-zinc-600 hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800"
          >
            ✕
          </Toast.Close>
        </Toast.Root>
      ))}
      <Toast.Viewport className="fixed right-0 bottom-0 z-[60] flex w-full max-w-sm flex-col gap-2 p-4 outline-none" />
    </Toast.Provider>
  );
}
