// Checks an email and password; null for an unknown user or a wrong password alike.
import { getDb } from "../db/client";
import { verifyPassword } from "./password";
import { signInSchema } from "./schema";

export async function authenticate(credentials: unknown) {
  const parsed = signInSchema.safeParse(credentials);
  if (!parsed.success) return null;
  const user = await getDb().user.findUnique({ where: { email: parsed.data.email } });
  const ok = await verifyPassword(user?.passwordHash, parsed.data.password);
  return ok && user ? { id: user.id, email: user.email, name: user.name } : null;
}
