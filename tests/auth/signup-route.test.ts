import { expect, it } from "vitest";
import { POST } from "@/app/api/signup/route";
import { setLoginThrottle } from "@/lib/auth/login-throttle";
import { CLIENT_IP_HEADER } from "@/lib/http/client-ip";
import { describeEachDb } from "../helpers/db";
import { throttleFor } from "./throttle-helpers";

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

  it("answers 429 with Retry-After once one IP keeps hitting a taken email, before hashing anything", async () => {
    const throttle = throttleFor(ctx.url, { failuresBeforeLockout: 3, lockoutSeconds: 45, lockoutMaxSeconds: 90 });
    setLoginThrottle(throttle);
    try {
      const from = (ip: string) => ({ "content-type": "application/json", [CLIENT_IP_HEADER]: ip });
      const body = JSON.stringify({ email: "probe@example.com", password: "password123" });
      expect((await post(body, from("203.0.113.30"))).status).toBe(201);
      expect((await post(body, from("203.0.113.31"))).status).toBe(409);
      expect((await post(body, from("203.0.113.31"))).status).toBe(409);
      const locked = await post(body, from("203.0.113.31"));
      expect(locked.status).toBe(429);
      expect(locked.headers.get("retry-after")).toBe("45");
      expect(await locked.json()).toEqual({ error: { code: "too_many_attempts", message: "Too many attempts, try again in 45 seconds." } });
      const again = await post(body, from("203.0.113.31"));
      expect(again.status).toBe(429);
      expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(40);
      // Another address is not held back.
      expect((await post(body, from("203.0.113.32"))).status).toBe(409);
    } finally {
      setLoginThrottle(undefined);
      await throttle.close();
    }
  });
});
