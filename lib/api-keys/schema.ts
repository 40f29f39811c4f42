// Browser-safe: the key form validates with the same schema as POST /api/keys.
import { z } from "zod";
import { plainText } from "../validation/text";

export const createApiKeySchema = z
  .object({
    name: z
      .string({ error: "name is required" })
      .trim()
      .min(1, "Name is required")
      .max(60, "Name must be at most 60 characters")
      .superRefine(plainText("Name")),
  })
  .strict();
