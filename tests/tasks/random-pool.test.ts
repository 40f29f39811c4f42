import { describe, expect, it } from "vitest";
import { newTaskId } from "@/lib/tasks/create-task";
import { randomBase64url, randomHex } from "@/lib/tasks/random-pool";

describe("random bytes cut from a pool", () => {
  it("hands out each byte once: 20,000 task ids across many refills of the pool, all different, all shaped alike", () => {
    const ids = Array.from({ length: 20_000 }, () => newTaskId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 100)) expect(id).toMatch(/^t[0-9a-z]+[0-9a-f]{16}$/);
  });

  it("gives the asked number of bytes in hex and base64url, spread over every value", () => {
    expect(randomHex(8)).toMatch(/^[0-9a-f]{16}$/);
    expect(randomBase64url(24)).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // 4 KiB per refill: 64 KiB of output shows every byte value, each about 256 times.
    const counts = new Array(256).fill(0);
    for (let i = 0; i < 2048; i++) for (const b of Buffer.from(randomHex(32), "hex")) counts[b]++;
    expect(Math.min(...counts)).toBeGreaterThan(150);
    expect(Math.max(...counts)).toBeLessThan(380);
  });

  it("refuses more than a pool at once", () => {
    expect(() => randomHex(4097)).toThrow(RangeError);
  });
});
