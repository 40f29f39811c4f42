// The portal's own task contract, shared by the generate form, the route
// handlers and the OpenAPI document. Request fields keep the seed's names.
import { z } from "zod";
import { ASPECT_RATIOS, klingImageRequestSchema } from "../kling/schema";
import { plainText } from "../validation/text";

/** POST /api/tasks: the seed's request without callback_url (the portal owns callbacks). */
export const createTaskSchema = klingImageRequestSchema.omit({ callback_url: true });
export type CreateTaskInput = z.input<typeof createTaskSchema>;
export type CreateTaskRequest = z.output<typeof createTaskSchema>;

export const TASK_STATUSES = ["waiting", "queued", "submitted", "processing", "succeed", "failed"] as const;
export type PortalTaskStatus = (typeof TASK_STATUSES)[number];
export const FINAL_STATUSES: readonly PortalTaskStatus[] = ["succeed", "failed"];
export const isFinal = (s: PortalTaskStatus) => FINAL_STATUSES.includes(s);

export const listTasksQuerySchema = z
  .object({
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1, "limit must be at least 1").max(100, "limit must be at most 100").default(24),
    status: z.enum(TASK_STATUSES, { error: `status must be one of ${TASK_STATUSES.join(", ")}` }).optional(),
    q: z.string().trim().max(200, "q must be at most 200 characters").superRefine(plainText("q")).optional(),
    aspect_ratio: z.enum(ASPECT_RATIOS, { error: `aspect_ratio must be one of ${ASPECT_RATIOS.join(", ")}` }).optional(),
    count: z
      .stringbool({ error: "count must be true or false" })
      .optional()
      .describe(
        "With true, the first page also carries total and totalImages (a stored total without filters; with filters, two COUNT queries, so only when asked)",
      ),
    favorite: z
      .stringbool({ error: "favorite must be true or false" })
      .optional()
      .describe("Only tasks with a favourite image (their other images are still listed, each with `favorite`)"),
  })
  .strict();
export type ListTasksQuery = z.output<typeof listTasksQuerySchema>;

export const taskImageDtoSchema = z.object({
  index: z.number().int(),
  url: z.string(),
  thumbnailUrl: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  favorite: z.boolean(),
});

export const taskDtoSchema = z.object({
  id: z.string(),
  status: z.enum(TASK_STATUSES),
  statusMsg: z.string(),
  source: z.enum(["web", "api"]),
  prompt: z.string(),
  negative_prompt: z.string().nullable(),
  image: z.string().nullable().describe('Reference image URL, "uploaded" for an uploaded one, or null'),
  image_fidelity: z.number(),
  n: z.number().int(),
  aspect_ratio: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
  images: z.array(taskImageDtoSchema),
  queue: z
    .object({
      position: z.number().int().describe("1 = the next task to be sent to Kling, counted across every user's waiting tasks"),
      estimateSeconds: z.number().int().describe("About how long until it is sent: the slot turnovers ahead of it times a typical task's time"),
    })
    .nullable()
    .describe("Where a `waiting` task stands in the fair queue for the Kling account's slots (KLING_MAX_CONCURRENCY); null unless waiting"),
  cost: z
    .object({
      images: z.number().int().describe("Images charged against the month's budget when the task was accepted (its n)"),
      refunded: z.boolean().describe("True when the task failed: its images were given back"),
    })
    .describe("What the task cost in the image budget"),
});
export type TaskDto = z.infer<typeof taskDtoSchema>;

export const taskListDtoSchema = z.object({
  tasks: z.array(taskDtoSchema),
  nextCursor: z.string().nullable(),
  hasMore: z.boolean(),
  total: z.number().int().nullable().describe("Tasks matching the filters, on the first page with count=true (else null)"),
  totalImages: z.number().int().nullable().describe("Their images (favourites only with favorite=true), on the first page with count=true (else null)"),
});
export type TaskListDto = z.infer<typeof taskListDtoSchema>;
