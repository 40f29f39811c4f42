// The seed's contract in zod: the request with its documented limits, and
// every response body the seed shows. Browser-safe: the generate form, the
// route handlers, the clients, the emulator and the OpenAPI document share it.
import { z } from "zod";
import { plainText, textProblem } from "../validation/text";
import { base64DecodedBytes, decodeBase64Prefix, isBase64, readImageHeader } from "./image-header";

export const ASPECT_RATIOS = ["16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3"] as const;
export type AspectRatio = (typeof ASPECT_RATIOS)[number];
export const KLING_TASK_STATUSES = ["submitted", "processing", "succeed", "failed"] as const;
export type KlingTaskStatus = (typeof KLING_TASK_STATUSES)[number];

export const LIMITS = {
  promptMax: 500,
  negativePromptMax: 200,
  imageMaxBytes: 10 * 1024 * 1024,
  imageMinSide: 300,
  nMin: 1,
  nMax: 9,
  fidelityDefault: 0.5,
  nDefault: 1,
  aspectRatioDefault: "16:9" as AspectRatio,
} as const;

/** Characters as people count them (code points, so an emoji is one). */
export const charCount = (s: string) => Array.from(s).length;

const httpUrl = z
  .string()
  .max(2048, "must be at most 2048 characters")
  // The URL parser would percent-encode these, but the text as sent is what gets stored.
  .refine((v) => !textProblem("", v), "must not contain control characters or lone surrogates")
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === "http:" || u.protocol === "https:") && !!u.hostname;
    } catch {
      return false;
    }
  }, "must be an http(s) URL");

/** Whether an image field holds an http(s) link; anything else in one is Base64 data. */
export const isHttpLink = (value: string): boolean => /^https?:\/\//i.test(value);

/** Why a reference image is unacceptable, or null when it is fine. */
export function checkReferenceImage(value: string): string | null {
  if (isHttpLink(value)) return httpUrl.safeParse(value).success ? null : "image: must be an http(s) URL or Base64 data";
  if (/^data:/i.test(value)) return "image: send raw Base64 without the data: prefix";
  if (!isBase64(value)) return "image: must be an http(s) URL or Base64-encoded PNG/JPEG";
  if (base64DecodedBytes(value) > LIMITS.imageMaxBytes) return "image: must be at most 10 MB";
  // 256 KiB covers the metadata that may sit before a JPEG's size marker.
  const header = readImageHeader(decodeBase64Prefix(value, 256 * 1024));
  if (!header) return "image: must be a PNG or JPEG image";
  if (header.width < LIMITS.imageMinSide || header.height < LIMITS.imageMinSide) {
    return `image: each side must be at least ${LIMITS.imageMinSide} px (got ${header.width}×${header.height})`;
  }
  return null;
}

const referenceImage = z
  .string({ error: "image must be a string" })
  .transform((v) => (isHttpLink(v) ? v.trim() : v.replace(/\s+/g, "")))
  .superRefine((v, ctx) => {
    const problem = checkReferenceImage(v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

export const klingImageRequestSchema = z
  .object({
    prompt: z
      .string({ error: "prompt is required and must be a string" })
      .trim()
      .min(1, "prompt is required")
      .refine((v) => charCount(v) <= LIMITS.promptMax, `prompt must be at most ${LIMITS.promptMax} characters`)
      .superRefine(plainText("prompt", { multiline: true })),
    negative_prompt: z
      .string({ error: "negative_prompt must be a string" })
      .trim()
      .refine((v) => charCount(v) <= LIMITS.negativePromptMax, `negative_prompt must be at most ${LIMITS.negativePromptMax} characters`)
      .superRefine(plainText("negative_prompt", { multiline: true }))
      .nullish()
      .transform((v) => v || undefined),
    image: referenceImage.nullish().transform((v) => v || undefined),
    image_fidelity: z
      .number({ error: "image_fidelity must be a number between 0 and 1" })
      .min(0, "image_fidelity must be between 0 and 1")
      .max(1, "image_fidelity must be between 0 and 1")
      .default(LIMITS.fidelityDefault),
    n: z
      .number({ error: "n must be a whole number from 1 to 9" })
      .int("n must be a whole number from 1 to 9")
      .min(LIMITS.nMin, "n must be at least 1")
      .max(LIMITS.nMax, "n must be at most 9")
      .default(LIMITS.nDefault),
    aspect_ratio: z.enum(ASPECT_RATIOS, { error: `aspect_ratio must be one of ${ASPECT_RATIOS.join(", ")}` }).default(LIMITS.aspectRatioDefault),
    callback_url: httpUrl.nullish().transform((v) => v || undefined),
  })
  .strict();

export type KlingImageRequestInput = z.input<typeof klingImageRequestSchema>;
export type KlingImageRequest = z.output<typeof klingImageRequestSchema>;

// ---- Responses, exactly as the seed shows them ----

const millis = z.number().int().nonnegative();

export const submitResponseSchema = z.object({
  data: z.object({
    code: z.number().int(),
    message: z.string(),
    request_id: z.string(),
    data: z.object({
      task_id: z.string(),
      task_status: z.enum(KLING_TASK_STATUSES),
      created_at: millis,
      updated_at: millis,
    }),
  }),
});
export type SubmitResponse = z.infer<typeof submitResponseSchema>;

export const statusRequestSchema = z.object({
  task_id: z.string({ error: "task_id is required" }).min(1, "task_id is required").max(200, "task_id is too long").superRefine(plainText("task_id")),
});

export const resultImageSchema = z.object({ index: z.number().int().nonnegative(), url: z.string() });

export const statusResponseSchema = z.object({
  task_id: z.string(),
  task_status: z.enum(KLING_TASK_STATUSES),
  task_status_msg: z.string(),
  task_result: z.object({ images: z.array(resultImageSchema) }),
  created_at: millis,
  updated_at: millis,
});
export type StatusResponse = z.infer<typeof statusResponseSchema>;

export const notFoundResponseSchema = z.object({
  task_status: z.literal("failed"),
  task_status_msg: z.literal("task not found"),
});

export const errorResponseSchema = z.object({ error: z.string(), detail: z.string().optional() });

export const SEED_ERROR_MESSAGES = {
  400: "Invalid request parameters",
  401: "Invalid or missing authentication",
  403: "Access denied for this operation",
  404: "Endpoint not found",
  429: "Rate limit exceeded, please retry later",
  500: "An unexpected error occurred, please try again later",
} as const;

/** Pixel size of a generated image: the exact ratio with a long side of at least 1024 px. */
export function imageSizeFor(ratio: AspectRatio): { width: number; height: number } {
  const [a, b] = ratio.split(":").map(Number);
  const unit = Math.ceil(1024 / Math.max(a, b));
  return { width: a * unit, height: b * unit };
}
