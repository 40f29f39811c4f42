// The account and key forms' schemas refuse text PostgreSQL or a reader cannot take.
import { describe, expect, it } from "vitest";
import { createApiKeySchema } from "@/lib/api-keys/schema";
import { signUpSchema } from "@/lib/auth/schema";
import { fieldErrors } from "@/lib/http/errors";
import { listTasksQuerySchema } from "@/lib/tasks/schema";
import { textProblem } from "@/lib/validation/text";

const fields = (schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, value: unknown) => {
  const r = schema.safeParse(value);
  return r.success ? {} : fieldErrors(r.error as never);
};

describe("sign-up", () => {
  const ok = { email: "alice@example.com", password: "correct horse battery" };

  it("refuses NUL and lone surrogates in name and password, naming the field", () => {
    expect(fields(signUpSchema, { ...ok, name: "Al\u0000ice" }).name).toMatch(/^Name must not contain control characters/);
    expect(fields(signUpSchema, { ...ok, name: "\ud800" }).name).toMatch(/^Name must be valid Unicode/);
    expect(fields(signUpSchema, { ...ok, password: "password\u0000" }).password).toMatch(/^Password must not contain control/);
    expect(fields(signUpSchema, { ...ok, password: "password\udfff" }).password).toMatch(/^Password must be valid Unicode/);
  });

  it("refuses a look-alike Cyrillic letter and a NUL in the email", () => {
    expect(fields(signUpSchema, { ...ok, email: "\u0430lice@example.com" }).email).toBe("Enter a valid email address");
    expect(fields(signUpSchema, { ...ok, email: "alice@example.com\u0000" }).email).toBe("Enter a valid email address");
  });

  it("still accepts accented names and long passphrases with spaces", () => {
    expect(signUpSchema.safeParse({ ...ok, name: "Zoë Ångström 🐦" }).success).toBe(true);
  });
});

describe("API key names and the history search", () => {
  it("refuses a key name with a NUL or a lone surrogate", () => {
    expect(fields(createApiKeySchema, { name: "ci\u0000" }).name).toMatch(/^Name must not contain control/);
    expect(fields(createApiKeySchema, { name: "\ud800" }).name).toMatch(/^Name must be valid Unicode/);
  });

  it("refuses q with a NUL", () => {
    expect(fields(listTasksQuerySchema, { q: "sparrow\u0000" }).q).toMatch(/^q must not contain control/);
  });
});

describe("textProblem", () => {
  it("allows line breaks only where text may span lines", () => {
    expect(textProblem("name", "a\nb")).toMatch(/control characters/);
    expect(textProblem("prompt", "a\nb", { multiline: true })).toBeNull();
    expect(textProblem("prompt", "a\u0085b", { multiline: true })).toMatch(/control characters/);
  });
});

describe("fieldErrors", () => {
  it("names unknown fields called __proto__ and constructor (an object literal swallowed them)", () => {
    const r = createApiKeySchema.safeParse(JSON.parse('{"name":"ci","__proto__":{"admin":true},"constructor":1}'));
    const f = fieldErrors(r.error!);
    expect(Object.keys(f).sort()).toEqual(["__proto__", "constructor"]);
    expect(Object.getOwnPropertyDescriptor(f, "__proto__")?.value).toBe('Unknown field "__proto__"');
    expect(JSON.parse(JSON.stringify(f))).toHaveProperty(["__proto__"]);
  });
});
