import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { ApiError } from "@/lib/http/errors";
import { readJson } from "@/lib/http/read-json";

const schema = z.object({ a: z.number() }).strict();
const req = (body: string, headers: Record<string, string> = {}) => new Request("http://portal/x", { method: "POST", body, headers });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as ApiError,
  );

describe("readJson", () => {
  it("refuses a body declared as something other than JSON with 415 naming Content-Type", async () => {
    for (const type of ["text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const err = await failure(readJson(req('{"a":1}', { "content-type": type }), schema));
      expect(err?.status, type).toBe(415);
      expect(err?.fields).toHaveProperty("Content-Type");
    }
  });

  it("accepts application/json with a charset, +json types, and a missing Content-Type", async () => {
    expect(await readJson(req('{"a":1}', { "content-type": "application/json; charset=utf-8" }), schema)).toEqual({ a: 1 });
    expect(await readJson(req('{"a":2}', { "content-type": "application/merge-patch+json" }), schema)).toEqual({ a: 2 });
    const bare = new Request("http://portal/x", { method: "POST", body: new TextEncoder().encode('{"a":3}') });
    expect(bare.headers.get("content-type")).toBeNull();
    expect(await readJson(bare, schema)).toEqual({ a: 3 });
  });

  it("names the body for an empty or broken one", async () => {
    const json = { "content-type": "application/json" };
    expect((await failure(readJson(req("", json), schema)))?.fields).toEqual({ body: "is empty" });
    expect((await failure(readJson(req("{a:", json), schema)))?.fields).toEqual({ body: "must be valid JSON" });
  });

  it("reads JSON nested 10,000 levels deep and answers 400, not a stack overflow", async () => {
    const deep = "[".repeat(10_000) + "]".repeat(10_000);
    const err = await failure(readJson(req(`{"a":${deep}}`, { "content-type": "application/json" }), schema));
    expect(err?.status).toBe(400);
    expect(err?.fields).toHaveProperty("a");
  });

  it("takes synchronous schemas only: one with an async refinement is refused as zod refuses it, without running the check twice", async () => {
    let runs = 0;
    const asyncSchema = z.object({
      name: z.string().refine(async () => {
        runs++;
        return true;
      }),
    });
    await expect(readJson(req('{"name":"alice"}', { "content-type": "application/json" }), asyncSchema)).rejects.toBeInstanceOf(z.core.$ZodAsyncError);
    expect(runs).toBe(1);
  });
});
