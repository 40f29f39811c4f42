// The admin API's shapes, shared by its routes, the console and the OpenAPI document.
import { z } from "zod";
import { plainText } from "../validation/text";

export const listUsersQuerySchema = z.strictObject({
  q: z.string().trim().max(254, "q must be at most 254 characters").superRefine(plainText("q")).optional(),
  cursor: z.string().max(254, "cursor must be at most 254 characters").superRefine(plainText("cursor")).optional(),
  limit: z.coerce
    .number({ error: "limit must be a number" })
    .int("limit must be a whole number")
    .min(1, "limit must be at least 1")
    .max(200, "limit must be at most 200")
    .default(50),
});

export const updateUserSchema = z.strictObject({
  disabled: z.boolean({ error: "disabled must be true or false" }),
});

export const adminUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  createdAt: z.string(),
  /** "grant" (npm run admin -- grant-admin), "env" (ADMIN_EMAILS), or null. */
  admin: z.enum(["grant", "env"]).nullable(),
  disabled: z.boolean(),
  imagesThisMonth: z.number().int(),
  tasksThisMonth: z.number().int(),
  /** This month's image budget: images charged less refunds, and the limit (null: unlimited). */
  budget: z.object({ used: z.number().int(), limit: z.number().int().nullable() }),
  /** The latest task or API key use, or null. */
  lastActiveAt: z.string().nullable(),
  apiKeys: z.object({ active: z.number().int(), revoked: z.number().int() }),
});

export const adminUserListSchema = z.object({ users: z.array(adminUserSchema), nextCursor: z.string().nullable() });

export type AdminUser = z.infer<typeof adminUserSchema>;
export type ListUsersQuery = z.infer<typeof listUsersQuerySchema>;
