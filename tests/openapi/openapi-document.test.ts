// The OpenAPI document as API tools read it: Redocly's recommended rules find
// nothing to report, and the committed client types are generated from it.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "@/lib/openapi/document";
import { API_TYPES_FILE, generateApiTypes, lintOpenApi } from "../helpers/openapi-tools";

describe("OpenAPI document", () => {
  it("passes redocly lint with the recommended rules: no errors, no warnings", async () => {
    const result = await lintOpenApi(buildOpenApiDocument("https://portal.example.org"));
    expect(result.problems).toEqual([]);
    expect({ errors: result.errors, warnings: result.warnings }).toEqual({ errors: 0, warnings: 0 });
  });

  it("names every operation and states the security of each, public ones with security: []", () => {
    const doc = buildOpenApiDocument("https://portal.example.org");
    const operations = Object.values(doc.paths).flatMap((item) => Object.values(item as Record<string, { operationId?: string; security?: unknown[] }>));
    expect(operations.length).toBeGreaterThan(15);
    for (const op of operations) {
      expect(op.operationId).toMatch(/^[a-z][A-Za-z]+$/);
      expect(Array.isArray(op.security)).toBe(true);
    }
    expect(new Set(operations.map((o) => o.operationId)).size).toBe(operations.length);
  });

  it(`has its typed client (${API_TYPES_FILE}) generated from the current document (npm run openapi:types)`, async () => {
    const committed = await readFile(API_TYPES_FILE, "utf8");
    expect(committed).toBe(await generateApiTypes(buildOpenApiDocument("http://localhost:3000")));
  });
});
