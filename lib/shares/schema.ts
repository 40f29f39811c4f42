// Share links: the request to make one and the shape returned for it.
import { z } from "zod";
import { plainText } from "../validation/text";

export const createShareSchema = z
  .object({
    taskId: z
      .string({ error: "taskId is required" })
      .min(1, "taskId is required")
      .max(100, "taskId must be at most 100 characters")
      .superRefine(plainText("taskId")),
    index: z
      .number({ error: "index must be a whole number from 0 to 8" })
      .int("index must be a whole number from 0 to 8")
      .min(0, "index must be at least 0")
      .max(8, "index must be at most 8")
      .optional(),
  })
  .strict();
export type CreateShareInput = z.output<typeof createShareSchema>;

export const shareDtoSchema = z.object({
  id: z.string(),
  url: z.string().describe("The public page, readable without signing in"),
  taskId: z.string(),
  index: z.number().int().nullable().describe("The shared image, or null for every image of the task"),
  prompt: z.string(),
  createdAt: z.string(),
});
export type ShareDto = z.infer<typeof shareDtoSchema>;

export const shareListDtoSchema = z.object({ shares: z.array(shareDtoSchema) });
