// Account settings forms: shared by the settings page and the API.
import { z } from "zod";
import { passwordSchema } from "../auth/schema";
import { plainText } from "../validation/text";

export const nameSchema = z.string({ error: "Name must be a string" }).trim().max(100, "Name must be at most 100 characters").superRefine(plainText("Name"));

export const updateProfileSchema = z.strictObject({ name: nameSchema });

/** currentPassword is required when the account has a password (checked by the server, which knows). */
export const changePasswordSchema = z.strictObject({
  currentPassword: z.string({ error: "currentPassword must be a string" }).max(256, "currentPassword must be at most 256 characters").optional(),
  newPassword: passwordSchema,
});

export const deleteAccountSchema = z.strictObject({
  confirm: z
    .string({ error: "confirm is required: type your account's email address" })
    .trim()
    .max(254, "confirm must be at most 254 characters")
    .superRefine(plainText("confirm")),
});

export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;
