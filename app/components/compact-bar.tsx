"use client";

// Once the generate form scrolls out of view, a one-line bar under the header
// keeps the prompt and Generate at hand, so a new image can start from
// anywhere in the gallery; "Settings" scrolls back to the full form.
import { useEffect, useState, type RefObject } from "react";

type Props = {
  form: RefObject<HTMLFormElement | null>;
  prompt: string;
  onPrompt(value: string): void;
  pending: boolean;
  label: string;
  summary: string;
  error?: string;
  onSubmit(e: React.FormEvent): void;
};

export function CompactBar({ form, prompt, onPrompt, pending, label, summary, error, onSubmit }: Props) {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    const el = form.current;
    if (!el) return;
    // Shown when the form's bottom (its Generate button) is above the viewport.
    const io = new IntersectionObserver(([entry]) => setShown(!!entry && !entry.isIntersecting && entry.boundingClientRect.bottom < 0));
    io.observe(el);
    return () => io.disconnect();
  }, [form]);
  if (!shown) return null;
  return (
    <div
      className="fixed inset-x-0 top-14 z-20 border-b border-zinc-200 bg-white/95 shadow-sm backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/95"
      data-testid="compact-bar"
    >
      <form onSubmit={onSubmit} noValidate aria-label="Generate (compact)" className="mx-auto flex max-w-7xl items-center gap-2 px-4 py-2 sm:px-6">
        <label htmlFor="compact-prompt" className="sr-only">
          Prompt
        </label>
        <input
          id="compact-prompt"
          className="input min-w-0 flex-1 py-1.5"
          placeholder="Describe an image"
          value={prompt}
          onChange={(e) => onPrompt(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "compact-prompt-error" : undefined}
        />
        {error && (
          <span id="compact-prompt-error" className="sr-only">
            {error}
          </span>
        )}
        <button
          type="button"
          className="btn-secondary hidden min-h-9 px-3 sm:inline-flex"
          onClick={() => form.current?.scrollIntoView({ behavior: "smooth", block: "start" })}
        >
          {summary} · Settings
        </button>
        <button type="submit" className="btn-primary min-h-9 px-3" disabled={pending}>
          {pending ? "Starting…" : label}
        </button>
      </form>
    </div>
  );
}
