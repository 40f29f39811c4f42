// A unique index refused a row: Prisma's P2002 from its own queries, P2010
// carrying the driver's error kind from raw ones (the same on PostgreSQL and
// PGlite), or node-postgres's 23505 from a statement sent directly (direct-pool.ts).
import pg from "pg";
import { Prisma } from "./client";

export function isUniqueViolation(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) return err.code === "23505";
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (err.code === "P2002") return true;
  const cause = (err.meta as { driverAdapterError?: { cause?: { kind?: string } } } | undefined)?.driverAdapterError?.cause;
  return err.code === "P2010" && cause?.kind === "UniqueConstraintViolation";
}
