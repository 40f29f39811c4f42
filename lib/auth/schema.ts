// Account forms: shared by the sign-up/sign-in pages and the API.
import { z } from "zod";
import { plainText } from "../validation/text";

export const emailSchema = z
  .string({ error: "Email is required" })
  .trim()
  .toLowerCase()
  .max(254, "Email is too long")
  .pipe(z.email({ error: "Enter a valid email address" }));

export const passwordSchema = z
  .string({ error: "Password is required" })
  .min(8, "Password must be at least 8 characters")
  .max(256, "Password must be at most 256 characters")
  // A lone surrogate would hash as U+FFFD, so two different passwords would match.
  .superRefine(plainText("Password"));

export const signUpSchema = z
  .object({
    email: emailSchema,
    password: passwordSchema,
    name: z.string({ error: "Name must be a string" }).trim().max(100, "Name must be at most 100 characters").superRefine(plainText("Name")).optional(),
  })
  .strict();

export const signInSchema = z.object({ email: emailSchema, password: z.string().min(1, "Password is required").max(256) });

export type SignUpInput = z.infer<typeof signUpSchema>;
