// A unique index refused a row: Prisma's P2002 from its own queries, P2010
// carrying the driver's error kind from raw ones (the same on PostgreSQL and PGlite).
import { Prisma } from "./client";

export function isUniqueViolation(err: unknown): boolean {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (err.code === "P2002") return true;
  const cause = (err.meta as { driverAdapterError?: { cause?: { kind?: string } } } | undefined)?.driverAdapterError?.cause;
  return err.code === "P2010" && cause?.kind === "UniqueConstraintViolation";
}
