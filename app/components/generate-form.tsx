"use client";

// The generate form: every seed parameter, checked in the browser with the
// same zod schema the server applies, errors beside their fields.
import { useEffect, useId, useRef, useState } from "react";
import { readImageParameters } from "@/lib/images/png-parameters";
import { ASPECT_RATIOS, charCount, LIMITS, type AspectRatio } from "@/lib/kling/schema";
import { createTaskSchema, type TaskDto } from "@/lib/tasks/schema";
import { AspectShape } from "./aspect-shape";
import { CompactBar } from "./compact-bar";
import { asSentence } from "./field-message";
import { emit, on, takeCarriedFill, type FormFill } from "./gallery/gallery-events";
import { toast } from "./toaster";
import { refreshUsage } from "./usage-meter";

type Field = "prompt" | "negative_prompt" | "image" | "image_fidelity" | "n" | "aspect_ratio" | "form";
type Errors = Partial<Record<Field, string>>;
type Reference = { kind: "none" } | { kind: "upload"; base64: string; preview: string; name: string } | { kind: "url"; url: string };

export type GenerateDefaults = { prompt?: string; negative_prompt?: string; n?: number; aspect_ratio?: AspectRatio };

const EXAMPLES = [
  "A sparrow in flight over a misty lake at sunrise, soft golden light",
  "Isometric cutaway of a cosy mountain cabin in winter, warm windows, detailed",
  "Portrait of an old fisherman with a knitted cap, rain, cinematic lighting",
];
const SETTINGS_KEY = "kling-portal.generate-settings";

export function GenerateForm({ defaults = {}, showExamples = false }: { defaults?: GenerateDefaults; showExamples?: boolean }) {
  const ids = useId();
  const [prompt, setPrompt] = useState(defaults.prompt ?? "");
  const [negative, setNegative] = useState(defaults.negative_prompt ?? "");
  const [showNegative, setShowNegative] = useState(!!defaults.negative_prompt);
  const [n, setN] = useState(defaults.n ?? 1);
  const [ratio, setRatio] = useState<AspectRatio>(defaults.aspect_ratio ?? "16:9");
  const [reference, setReference] = useState<Reference>({ kind: "none" });
  const [refMode, setRefMode] = useState<"upload" | "url">("upload");
  const [fidelity, setFidelity] = useState(0.5);
  const [errors, setErrors] = useState<Errors>({});
  const [pending, setPending] = useState(false);
  const [showSettings, setShowSettings] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  const promptRef = useRef<HTMLTextAreaElement>(null);
  const formRef = useRef<HTMLFormElement>(null);

  // Remember the last aspect ratio and count, as people expect from such tools.
  useEffect(() => {
    try {
      const saved = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? "{}");
      if (!defaults.aspect_ratio && ASPECT_RATIOS.includes(saved.aspect_ratio)) setRatio(saved.aspect_ratio);
      if (!defaults.n && Number.isInteger(saved.n) && saved.n >= 1 && saved.n <= LIMITS.nMax) setN(saved.n);
    } catch {
      // Nothing saved, or storage is off.
    }
  }, [defaults.aspect_ratio, defaults.n]);
  useEffect(() => {
    try {
      localStorage.setItem(SETTINGS_KEY, JSON.stringify({ aspect_ratio: ratio, n }));
    } catch {
      // Storage is off.
    }
  }, [ratio, n]);

  const image = reference.kind === "upload" ? reference.base64 : reference.kind === "url" ? reference.url : undefined;
  const body = { prompt, negative_prompt: negative || undefined, image: image || undefined, image_fidelity: fidelity, n, aspect_ratio: ratio };

  // An error goes as soon as its field is valid (new errors wait for the next submit).
  const bodyKey = JSON.stringify(body);
  // biome-ignore lint/correctness/useExhaustiveDependencies: check() reads the current body, which bodyKey stands for.
  useEffect(() => {
    setErrors((current) => {
      const flagged = Object.keys(current).filter((k) => current[k as Field]) as Field[];
      if (!flagged.length) return current;
      const now = check() ?? {};
      const next: Errors = {};
      for (const f of flagged) if (f !== "form" && now[f]) next[f] = now[f];
      return Object.keys(next).length === flagged.length ? current : next;
    });
  }, [bodyKey]);

  // "Use settings" and "Use as reference" from the gallery, and settings read from a dropped PNG.
  useEffect(() => on("fill-form", (fill) => void applyFill(fill)));
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, on arrival from another page.
  useEffect(() => {
    const carried = takeCarriedFill();
    if (carried) void applyFill(carried);
  }, []);

  async function applyFill(fill: FormFill) {
    setShowSettings(true);
    if (fill.prompt !== undefined) setPrompt(fill.prompt);
    if (fill.negative_prompt !== undefined) {
      setNegative(fill.negative_prompt ?? "");
      if (fill.negative_prompt) setShowNegative(true);
    }
    if (fill.aspect_ratio) setRatio(fill.aspect_ratio);
    if (fill.n) setN(fill.n);
    if (fill.image_fidelity !== undefined) setFidelity(fill.image_fidelity);
    if (fill.prompt !== undefined && !fill.referenceLink && !fill.referenceUrl) {
      setReference({ kind: "none" });
      if (fileRef.current) fileRef.current.value = "";
    }
    formRef.current?.scrollIntoView({ behavior: "smooth", block: "start" });
    promptRef.current?.focus({ preventScroll: true });
    if (fill.referenceLink) {
      setRefMode("url");
      setReference({ kind: "url", url: fill.referenceLink });
    } else if (fill.referenceUrl) {
      const res = await fetch(fill.referenceUrl).catch(() => null);
      const blob = res?.ok ? await res.blob() : null;
      if (!blob) {
        setErrors((e) => ({ ...e, image: "The reference image could not be loaded: choose it again." }));
        return;
      }
      await onFile(new File([blob], fill.referenceName ?? "reference.png", { type: blob.type }), { keepSettings: true });
    }
  }

  function check(): Errors | null {
    const parsed = createTaskSchema.safeParse(body);
    if (parsed.success) return null;
    const next: Errors = {};
    for (const issue of parsed.error.issues) next[(issue.path[0] as Field) ?? "form"] ??= issue.message;
    return next;
  }

  async function onFile(file: File | undefined, opts: { keepSettings?: boolean } = {}) {
    if (!file) return;
    setRefMode("upload");
    // A PNG this portal made carries its settings: offer them.
    if (!opts.keepSettings && file.type === "image/png") {
      const settings = readImageParameters(new Uint8Array(await file.arrayBuffer()));
      if (settings) {
        toast({
          title: "This image carries its settings",
          description: settings.prompt,
          duration: 15_000,
          action: {
            label: "Load settings",
            onClick: () =>
              void applyFill({
                prompt: settings.prompt,
                negative_prompt: settings.negative_prompt,
                aspect_ratio: ASPECT_RATIOS.includes(settings.aspect_ratio as AspectRatio) ? (settings.aspect_ratio as AspectRatio) : undefined,
                image_fidelity: settings.reference ? settings.image_fidelity : undefined,
              }),
          },
        });
      }
    }
    if (!["image/png", "image/jpeg"].includes(file.type)) {
      setErrors((e) => ({ ...e, image: "Choose a PNG or JPEG file for the reference image." }));
      return;
    }
    const dataUrl = await new Promise<string>((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
    const base64 = dataUrl.slice(dataUrl.indexOf(",") + 1);
    setReference({ kind: "upload", base64, preview: dataUrl, name: file.name });
    const problem = createTaskSchema.shape.image.safeParse(base64);
    setErrors((e) => ({ ...e, image: problem.success ? undefined : problem.error.issues[0].message }));
  }

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    const problems = check();
    if (problems) {
      setErrors(problems);
      if (Object.keys(problems).some((f) => f !== "prompt")) setShowSettings(true);
      return;
    }
    setPending(true);
    setErrors({});
    try {
      const res = await fetch("/api/tasks", {
        method: "POST",
        // A fresh key per submission: a retried request cannot start a second paid task.
        headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
        body: JSON.stringify(body),
      });
      const json = await res.json().catch(() => null);
      // Accepted or refused for the budget, the meter shows the figure the server used.
      refreshUsage();
      if (!res.ok) {
        const fields = (json?.error?.fields ?? {}) as Errors;
        setErrors(Object.keys(fields).length ? fields : { form: json?.error?.message ?? `Could not start the generation (HTTP ${res.status}).` });
        return;
      }
      const task = json as TaskDto;
      emit("task-created", task);
      toast({ title: "Generation started", description: `${task.n} × ${task.aspect_ratio} · ${task.prompt}` });
    } catch {
      setErrors({ form: "The portal could not be reached. Check your connection and try again." });
    } finally {
      setPending(false);
    }
  }

  const err = (f: Field) =>
    errors[f] && (
      <p id={`${ids}-${f}-error`} className="field-error">
        {asSentence(f, errors[f]!)}
      </p>
    );
  const aria = (f: Field) => ({ "aria-invalid": errors[f] ? true : undefined, "aria-describedby": errors[f] ? `${ids}-${f}-error` : undefined });
  const promptCount = charCount(prompt.trim());
  const negativeCount = charCount(negative.trim());

  return (
    <>
      <form
        ref={formRef}
        id={`${ids}-form`}
        onSubmit={onSubmit}
        noValidate
        className="card space-y-5 p-4 sm:p-5"
        aria-label="Generate images"
        onPaste={(e) => {
          const file = Array.from(e.clipboardData.files).find((f) => f.type.startsWith("image/"));
          if (file) {
            e.preventDefault();
            onFile(file);
          }
        }}
        onDragOver={(e) => e.preventDefault()}
        onDrop={(e) => {
          const file = Array.from(e.dataTransfer.files).find((f) => f.type.startsWith("image/"));
          if (file) {
            e.preventDefault();
            onFile(file);
          }
        }}
      >
        <div>
          <div className="flex items-baseline justify-between">
            <label htmlFor={`${ids}-prompt`} className="label">
              Prompt
            </label>
            <span
              className={`text-xs tabular-nums ${promptCount > LIMITS.promptMax ? "text-red-600 dark:text-red-400" : "text-zinc-500 dark:text-zinc-400"}`}
              aria-live="polite"
            >
              {promptCount}/{LIMITS.promptMax}
            </span>
          </div>
          <textarea
            id={`${ids}-prompt`}
            name="prompt"
            rows={3}
            className="input resize-y"
            placeholder="A sparrow in flight over a misty lake at sunrise, soft light"
            // biome-ignore lint/a11y/noAutofocus: describing an image is what this page is for; the prompt is where typing goes.
            autoFocus
            ref={promptRef}
            value={prompt}
            onChange={(e) => setPrompt(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) onSubmit(e);
            }}
            {...aria("prompt")}
          />
          {err("prompt")}
          {showExamples && !prompt && (
            <div className="mt-2 flex flex-wrap gap-1.5">
              <span className="text-xs text-zinc-500 dark:text-zinc-400">Try:</span>
              {EXAMPLES.map((ex) => (
                <button
                  key={ex}
                  type="button"
                  className="rounded-full border border-zinc-300 px-2.5 py-0.5 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
                  onClick={() => {
                    setPrompt(ex);
                    promptRef.current?.focus();
                  }}
                >
                  {ex.length > 48 ? `${ex.slice(0, 46)}…` : ex}
                </button>
              ))}
            </div>
          )}
        </div>

        {/* On a phone the settings fold under one button, so the gallery starts on the first screen. */}
        <button
          type="button"
          className="btn-secondary min-h-9 w-full justify-between sm:hidden"
          aria-expanded={showSettings}
          onClick={() => setShowSettings((v) => !v)}
        >
          <span>Settings</span>
          <span className="text-zinc-600 dark:text-zinc-400">
            {n} × {ratio}
            {reference.kind !== "none" ? " · reference" : ""}
            {negative ? " · negative" : ""} {showSettings ? "▴" : "▾"}
          </span>
        </button>
        <div className={`space-y-5 ${showSettings ? "" : "hidden sm:block"}`}>
          {showNegative ? (
            <div>
              <div className="flex items-baseline justify-between">
                <label htmlFor={`${ids}-negative`} className="label">
                  Negative prompt <span className="font-normal text-zinc-500 dark:text-zinc-400">(what to avoid)</span>
                </label>
                <span
                  className={`text-xs tabular-nums ${negativeCount > LIMITS.negativePromptMax ? "text-red-600 dark:text-red-400" : "text-zinc-500 dark:text-zinc-400"}`}
                >
                  {negativeCount}/{LIMITS.negativePromptMax}
                </span>
              </div>
              <textarea
                id={`${ids}-negative`}
                name="negative_prompt"
                rows={2}
                className="input resize-y"
                placeholder="blurry, text, watermark"
                value={negative}
                onChange={(e) => setNegative(e.target.value)}
                {...aria("negative_prompt")}
              />
              {err("negative_prompt")}
            </div>
          ) : (
            <button type="button" className="text-sm font-medium text-brand-600 hover:underline dark:text-brand-400" onClick={() => setShowNegative(true)}>
              + Negative prompt
            </button>
          )}

          <div className="grid gap-5 lg:grid-cols-2">
            <fieldset>
              <legend className="label">Aspect ratio</legend>
              <div role="radiogroup" className="flex flex-wrap gap-1.5">
                {ASPECT_RATIOS.map((r) => (
                  <label
                    key={r}
                    className={`flex cursor-pointer flex-col items-center gap-1 rounded-lg border px-2.5 py-1.5 text-xs has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-brand-500 ${ratio === r ? "border-brand-500 bg-brand-50 text-brand-700 dark:bg-brand-700/20 dark:text-brand-50" : "border-zinc-300 text-zinc-600 hover:bg-zinc-100 dark:border-zinc-700 dark:text-zinc-300 dark:hover:bg-zinc-800"}`}
                  >
                    <input type="radio" name="aspect_ratio" value={r} checked={ratio === r} onChange={() => setRatio(r)} className="sr-only" />
                    <AspectShape ratio={r} />
                    {r}
                  </label>
                ))}
              </div>
              {err("aspect_ratio")}
            </fieldset>

            <fieldset>
              <legend className="label">Images</legend>
              <div role="radiogroup" className="flex flex-wrap gap-1.5">
                {Array.from({ length: LIMITS.nMax }, (_, i) => i + 1).map((v) => (
                  <label
                    key={v}
                    className={`grid size-9 cursor-pointer place-items-center rounded-lg border text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-brand-500 ${n === v ? "border-brand-500 bg-brand-50 font-semibold text-brand-700 dark:bg-brand-700/20 dark:text-brand-50" : "border-zinc-300 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"}`}
                  >
                    <input
                      type="radio"
                      name="n"
                      value={v}
                      checked={n === v}
                      onChange={() => setN(v)}
                      className="sr-only"
                      aria-label={`${v} image${v > 1 ? "s" : ""}`}
                    />
                    {v}
                  </label>
                ))}
              </div>
              {err("n")}
            </fieldset>
          </div>

          <fieldset className="space-y-3">
            <legend className="label">
              Reference image <span className="font-normal text-zinc-500 dark:text-zinc-400">(optional)</span>
            </legend>
            <div className="flex gap-1 text-sm" role="tablist">
              {(["upload", "url"] as const).map((m) => (
                <button
                  key={m}
                  type="button"
                  role="tab"
                  aria-selected={refMode === m}
                  className={`rounded-md px-3 py-1 ${refMode === m ? "bg-zinc-200 font-medium dark:bg-zinc-800" : "text-zinc-500 dark:text-zinc-400 hover:bg-zinc-100 dark:hover:bg-zinc-900"}`}
                  onClick={() => {
                    setRefMode(m);
                    setReference({ kind: "none" });
                    setErrors((e) => ({ ...e, image: undefined }));
                  }}
                >
                  {m === "upload" ? "Upload" : "From URL"}
                </button>
              ))}
            </div>
            {refMode === "upload" ? (
              reference.kind === "upload" ? (
                <div className="flex items-center gap-3">
                  <img src={reference.preview} alt="Reference preview" className="size-16 rounded-lg object-cover" />
                  <span className="truncate text-sm">{reference.name}</span>
                  <button
                    type="button"
                    className="btn-secondary min-h-8 px-3"
                    onClick={() => {
                      setReference({ kind: "none" });
                      setErrors((e) => ({ ...e, image: undefined }));
                      if (fileRef.current) fileRef.current.value = "";
                    }}
                  >
                    Remove
                  </button>
                </div>
              ) : (
                <input
                  ref={fileRef}
                  type="file"
                  name="image"
                  accept="image/png,image/jpeg"
                  aria-label="Reference image file"
                  className="block text-sm file:mr-3 file:rounded-lg file:border-0 file:bg-zinc-200 file:px-3 file:py-2 file:text-sm file:font-medium dark:file:bg-zinc-800"
                  onChange={(e) => onFile(e.target.files?.[0])}
                  {...aria("image")}
                />
              )
            ) : (
              <input
                type="url"
                name="image_url"
                aria-label="Reference image URL"
                className="input"
                placeholder="https://example.com/reference.jpg"
                value={reference.kind === "url" ? reference.url : ""}
                onChange={(e) => setReference(e.target.value ? { kind: "url", url: e.target.value.trim() } : { kind: "none" })}
                {...aria("image")}
              />
            )}
            <p className="text-xs text-zinc-500 dark:text-zinc-400">
              PNG or JPEG, at most 10 MB, each side at least 300 px. You can also drop or paste an image onto the form.
            </p>
            {err("image")}
            {reference.kind !== "none" && (
              <div>
                <label htmlFor={`${ids}-fidelity`} className="label">
                  Reference strength: <span className="tabular-nums">{fidelity.toFixed(2)}</span>
                </label>
                <input
                  id={`${ids}-fidelity`}
                  name="image_fidelity"
                  type="range"
                  min={0}
                  max={1}
                  step={0.05}
                  value={fidelity}
                  onChange={(e) => setFidelity(Number(e.target.value))}
                  className="w-full max-w-sm accent-brand-600"
                  {...aria("image_fidelity")}
                />
                {err("image_fidelity")}
              </div>
            )}
          </fieldset>
        </div>

        {errors.form && (
          <p role="alert" className="field-error">
            {errors.form}
          </p>
        )}
        <div className="flex items-center gap-3">
          <button type="submit" className="btn-primary" disabled={pending}>
            {pending ? "Starting…" : `Generate ${n > 1 ? `${n} images` : "image"}`}
          </button>
          <span className="hidden text-xs text-zinc-500 sm:inline dark:text-zinc-400">Ctrl/⌘ + Enter</span>
        </div>
      </form>
      <CompactBar
        form={formRef}
        prompt={prompt}
        onPrompt={setPrompt}
        pending={pending}
        label={`Generate ${n > 1 ? `${n} images` : "image"}`}
        summary={`${n} × ${ratio}`}
        onSubmit={onSubmit}
        error={errors.prompt}
      />
    </>
  );
}
