// A unique index refused a row: Prisma's P2002 from its own queries, P2010
// carrying the driver's error kind from raw ones, or the driver's own 23505
// (node-postgres's or PGlite's) from a statement sent directly (direct-pool.ts).
import { Prisma } from "./client";

export function isUniqueViolation(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return (err as { code?: unknown }).code === "23505";
  if (err.code === "P2002") return true;
  const cause = (err.meta as { driverAdapterError?: { cause?: { kind?: string } } } | undefined)?.driverAdapterError?.cause;
  return err.code === "P2010" && cause?.kind === "UniqueConstraintViolation";
}
