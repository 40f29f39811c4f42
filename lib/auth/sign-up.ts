// Creates an email + password account.
import { getDb, Prisma } from "../db/client";
import { ApiError } from "../http/errors";
import { hashPassword } from "./password";
import type { SignUpInput } from "./schema";

export async function signUp(input: SignUpInput) {
  const passwordHash = await hashPassword(input.password);
  try {
    return await getDb().user.create({
      data: { email: input.email, name: input.name || null, passwordHash },
      select: { id: true, email: true, name: true, createdAt: true },
    });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw new ApiError(409, "email_taken", "An account with this email already exists", { email: "An account with this email already exists" });
    }
    throw err;
  }
}
