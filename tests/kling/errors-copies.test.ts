// The portal runs two copies of lib/kling/errors (Next.js's bundle and the
// tsx-loaded reconciler) sharing one provider: a KlingError from one copy must
// classify the same in the other (found by drill b: 429s read as unknown outcomes).
import { expect, it } from "vitest";
import { KlingError } from "@/lib/kling/errors";
import { submitOutcome } from "@/lib/tasks/submit-outcome";

it("is recognised across module copies, so a 429 stays 'not accepted'", async () => {
  const copy = (await import("@/lib/kling/errors?second-copy" as string)) as typeof import("@/lib/kling/errors");
  expect(copy.KlingError).not.toBe(KlingError);
  const err = new copy.KlingError("rate_limited", "Kling is rate limiting requests", { status: 429 });
  expect(err instanceof KlingError).toBe(true);
  expect(submitOutcome(err)).toBe("not_accepted");
  expect(new Error("x") instanceof KlingError).toBe(false);
});
