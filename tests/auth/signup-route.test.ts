import { expect, it } from "vitest";
import { POST } from "@/app/api/signup/route";
import { describeEachDb } from "../helpers/db";

const post = (body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
  POST(new Request("http://localhost/api/signup", { method: "POST", body, headers }), { params: Promise.resolve({}) });

describeEachDb("POST /api/signup", (ctx) => {
  it("creates a user with an Argon2id hash and answers 201 without the hash", async () => {
    const res = await post(JSON.stringify({ email: "Ada@Example.com", password: "correct horse", name: "Ada" }));
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.user).toMatchObject({ email: "ada@example.com", name: "Ada" });
    expect(JSON.stringify(body)).not.toContain("argon2");
    const row = await ctx.db.user.findUniqueOrThrow({ where: { email: "ada@example.com" } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it("answers 409 for a taken email, in any letter case", async () => {
    await post(JSON.stringify({ email: "taken@example.com", password: "password123" }));
    const res = await post(JSON.stringify({ email: "TAKEN@example.com", password: "password123" }));
    expect(res.status).toBe(409);
    expect((await res.json()).error.fields.email).toMatch(/already exists/);
    expect(await ctx.db.user.count({ where: { email: "taken@example.com" } })).toBe(1);
  });

  it("answers 400 naming each bad field and writes nothing", async () => {
    const before = await ctx.db.user.count();
    const res = await post(JSON.stringify({ email: "not-an-email", password: "short" }));
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.fields).toEqual({ email: "Enter a valid email address", password: "Password must be at least 8 characters" });
    expect(await ctx.db.user.count()).toBe(before);
  });

  it("rejects non-JSON, unknown fields and oversized bodies with 4xx", async () => {
    expect((await post("email=a")).status).toBe(400);
    const unknown = await post(JSON.stringify({ email: "u@example.com", password: "password123", admin: true }));
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error.fields.admin).toMatch(/Unknown field/);
    const big = await post(JSON.stringify({ email: "big@example.com", password: "x".repeat(20_000) }));
    expect(big.status).toBe(413);
    expect(await ctx.db.user.count({ where: { email: { in: ["u@example.com", "big@example.com"] } } })).toBe(0);
  });
});
