// The emulator's account parallel limit (concurrency=N): image slots of tasks
// not yet final are counted, and a submit beyond them is refused the way Kling
// refuses it (official: HTTP 429 with business code 1303; seed: 429).
import { afterEach, expect, it, describe } from "vitest";
import { createAppyPieClient } from "@/lib/kling/appypie-client";
import { parseFaults, FaultSpecError } from "@/lib/kling/emulator/faults";
import { createEmulator, type Emulator } from "@/lib/kling/emulator/server";
import { KlingError } from "@/lib/kling/errors";
import { createOfficialClient } from "@/lib/kling/official-client";
import { klingImageRequestSchema } from "@/lib/kling/schema";

const request = (n: number) => klingImageRequestSchema.parse({ prompt: "a lighthouse at dusk", aspect_ratio: "1:1", n });
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

describe("emulator account concurrency", () => {
  let emulator: Emulator | undefined;
  afterEach(() => emulator?.close());

  async function start(durationMs: number) {
    emulator = createEmulator({ durationMs, faults: parseFaults("concurrency=4") });
    return (await emulator.listen()).url;
  }

  it("parses concurrency=N and rejects a bad value", () => {
    expect(parseFaults("concurrency=4")).toEqual({ concurrency: 4 });
    expect(() => parseFaults("concurrency=0")).toThrow(FaultSpecError);
  });

  it("official API: counts images, answers 1303 over the limit, and accepts again once tasks end", async () => {
    const url = await start(400);
    const client = createOfficialClient({ baseUrl: url, accessKey: "ak", secretKey: "sk-0123456789", timeoutMs: 3000, maxRetries: 0 });
    await client.submit(request(3), { maxRetries: 0 });
    const refused = await client.submit(request(2), { maxRetries: 0 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KlingError);
    expect((refused as KlingError).code).toBe(1303);
    expect((refused as KlingError).status).toBe(429);
    // One image still fits.
    await client.submit(request(1), { maxRetries: 0 });
    expect(emulator!.calls.busy).toBe(1);
    await sleep(500);
    await client.submit(request(4), { maxRetries: 0 });
  });

  it("seed API: answers 429 over the limit", async () => {
    const url = await start(60_000);
    const client = createAppyPieClient({ name: "local", baseUrl: url, subscriptionKey: "k", timeoutMs: 3000, maxRetries: 0 });
    for (let i = 0; i < 4; i++) await client.submit(request(1), { maxRetries: 0 });
    const refused = await client.submit(request(1), { maxRetries: 0 }).catch((e: unknown) => e);
    expect((refused as KlingError).kind).toBe("rate_limited");
    expect((refused as KlingError).status).toBe(429);
    expect(emulator!.calls.busy).toBe(1);
  });
});
