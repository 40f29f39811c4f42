// Account forms: shared by the sign-up/sign-in pages and the API.
import { z } from "zod";

export const emailSchema = z
  .string({ error: "Email is required" })
  .trim()
  .toLowerCase()
  .max(254, "Email is too long")
  .pipe(z.email({ error: "Enter a valid email address" }));

export const passwordSchema = z
  .string({ error: "Password is required" })
  .min(8, "Password must be at least 8 characters")
  .max(256, "Password must be at most 256 characters");

export const signUpSchema = z
  .object({
    email: emailSchema,
    password: passwordSchema,
    name: z.string().trim().max(100, "Name must be at most 100 characters").optional(),
  })
  .strict();

export const signInSchema = z.object({ email: emailSchema, password: z.string().min(1, "Password is required").max(256) });

export type SignUpInput = z.infer<typeof signUpSchema>;
