import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { LIMITER_TABLE } from "@/lib/rate-limit/limiter-store";
import type { LoginThrottle } from "@/lib/auth/login-throttle";
import { stripSchemaParam } from "@/lib/db/adapter";
import { describeEachDb } from "../helpers/db";
import { throttleFor } from "./throttle-helpers";

describeEachDb("login throttle", (ctx) => {
  const made: LoginThrottle[] = [];
  const throttle = (limits = {}) => {
    const t = throttleFor(ctx.url, limits);
    made.push(t);
    return t;
  };
  afterAll(async () => {
    await Promise.all(made.map((t) => t.close()));
  });

  it("locks an (email, IP) pair out after consecutive failures, for a delay that doubles up to the maximum", async () => {
    const t = throttle();
    const fail = (n: number) => Promise.all(Array.from({ length: n }, () => t.failed("ada@example.com", "203.0.113.7")));
    expect(await t.retryAfter("ada@example.com", "203.0.113.7")).toBeNull();
    expect(await t.failed("ada@example.com", "203.0.113.7")).toBeNull();
    expect(await t.failed("ada@example.com", "203.0.113.7")).toBeNull();
    expect(await t.retryAfter("ada@example.com", "203.0.113.7")).toBeNull();
    expect(await t.failed("ada@example.com", "203.0.113.7")).toBe(1);
    expect(await t.retryAfter("ada@example.com", "203.0.113.7")).toBe(1);
    // Another IP, or another email from this IP, is not locked.
    expect(await t.retryAfter("ada@example.com", "198.51.100.1")).toBeNull();
    expect(await t.retryAfter("bob@example.com", "203.0.113.7")).toBeNull();

    await sleep(1100);
    expect(await t.retryAfter("ada@example.com", "203.0.113.7")).toBeNull();
    await t.failed("ada@example.com", "203.0.113.7");
    await t.failed("ada@example.com", "203.0.113.7");
    expect(await t.failed("ada@example.com", "203.0.113.7")).toBe(2);
    expect(await t.retryAfter("ada@example.com", "203.0.113.7")).toBe(2);

    await sleep(2100);
    expect((await fail(3)).at(-1)).toBe(2); // 4 s, capped at the 2 s maximum
    expect(await t.retryAfter("ada@example.com", "203.0.113.7")).toBe(2);
  });

  it("forgets failures and lockouts after a success", async () => {
    const t = throttle();
    for (let i = 0; i < 3; i++) await t.failed("cy@example.com", "203.0.113.8");
    await sleep(1100);
    await t.succeeded("cy@example.com", "203.0.113.8");
    await t.failed("cy@example.com", "203.0.113.8");
    await t.failed("cy@example.com", "203.0.113.8");
    // The count restarted (two failures do not lock), and the next lockout is the first again: 1 s.
    expect(await t.retryAfter("cy@example.com", "203.0.113.8")).toBeNull();
    expect(await t.failed("cy@example.com", "203.0.113.8")).toBe(1);
  });

  it("caps failures per IP per day across emails", async () => {
    const t = throttle({ failuresPerIpPerDay: 4, failuresBeforeLockout: 10 });
    for (const who of ["a", "b", "c"]) expect(await t.failed(`${who}@example.com`, "192.0.2.50")).toBeNull();
    const wait = await t.failed("d@example.com", "192.0.2.50");
    expect(wait).toBeGreaterThan(86_000);
    expect(await t.retryAfter("anyone@example.com", "192.0.2.50")).toBeGreaterThan(86_000);
    expect(await t.retryAfter("anyone@example.com", "192.0.2.51")).toBeNull();
  });

  it("locks an account out after consecutive failures from many addresses, for a delay that doubles, until a success", async () => {
    const t = throttle({ failuresBeforeLockout: 10, failuresPerAccountBeforeLockout: 4 });
    const from = (i: number) => `198.51.100.${i}`;
    // Each address fails once: no pair is near its lockout, the account is.
    for (let i = 1; i <= 3; i++) expect(await t.failed("dee@example.com", from(i))).toBeNull();
    expect(await t.failed("dee@example.com", from(4))).toBe(1);
    // Locked from every address, a fresh one too; other accounts are not.
    expect(await t.retryAfter("dee@example.com", from(99))).toBe(1);
    expect(await t.retryAfter("eve@example.com", from(1))).toBeNull();

    await sleep(1100);
    expect(await t.retryAfter("dee@example.com", from(99))).toBeNull();
    for (let i = 5; i <= 7; i++) await t.failed("dee@example.com", from(i));
    expect(await t.failed("dee@example.com", from(8))).toBe(2); // the second lockout doubles

    await sleep(2100);
    await t.succeeded("dee@example.com", from(9));
    for (let i = 10; i <= 12; i++) expect(await t.failed("dee@example.com", from(i))).toBeNull();
    expect(await t.failed("dee@example.com", from(13))).toBe(1); // reset: the first lockout again
  });

  if (ctx.kind === "postgres") {
    it("is shared by every instance on PostgreSQL, in its own table without email addresses", async () => {
      const one = throttle();
      const two = throttle();
      for (let i = 0; i < 3; i++) await one.failed("shared@example.com", "203.0.113.9");
      expect(await two.retryAfter("shared@example.com", "203.0.113.9")).toBe(1);
      // The account's count is shared too: failures at two instances from two addresses add up.
      const three = throttle({ failuresBeforeLockout: 10, failuresPerAccountBeforeLockout: 2 });
      const four = throttle({ failuresBeforeLockout: 10, failuresPerAccountBeforeLockout: 2 });
      expect(await three.failed("spread@example.com", "203.0.113.10")).toBeNull();
      expect(await four.failed("spread@example.com", "203.0.113.11")).toBe(1);
      expect(await three.retryAfter("spread@example.com", "203.0.113.12")).toBe(1);
      const schema = new URL(ctx.url!).searchParams.get("schema")!;
      const client = new pg.Client({ connectionString: stripSchemaParam(ctx.url!) });
      await client.connect();
      const { rows } = await client.query(`SELECT key FROM "${schema}"."${LIMITER_TABLE}"`);
      await client.end();
      expect(rows.length).toBeGreaterThan(0);
      expect(JSON.stringify(rows)).not.toContain("example.com");
    });
  }
});
