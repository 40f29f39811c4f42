// The portal's built-in emulator: on its own 127.0.0.1 listener with a key only
// this process knows, reached by the local provider, its images downloaded from
// that loopback address, its callbacks sent only to the portal's own origin.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "@/lib/config";
import { downloadImage } from "@/lib/images/download-image";
import { createProvider, KlingError, type KlingProvider } from "@/lib/kling";
import { klingImageRequestSchema } from "@/lib/kling/schema";
import { startLocalEmulator, type LocalEmulator } from "@/lib/server/local-emulator";
import { startScriptedServer } from "../helpers/http-server";
import { waitFor } from "../helpers/lifecycle";

type Server = Awaited<ReturnType<typeof startScriptedServer>>;
const request = (extra: Record<string, unknown> = {}) => klingImageRequestSchema.parse({ prompt: "a lighthouse", n: 2, ...extra });

describe("built-in emulator (KLING_PROVIDER=local)", () => {
  let portal: Server;
  let elsewhere: Server;
  let emulator: LocalEmulator;
  let provider: KlingProvider;
  const submitWithKey = (key: string) =>
    fetch(`${emulator.url}/kling-ai-image/v1/getImageTask`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Ocp-Apim-Subscription-Key": key },
      body: JSON.stringify({ prompt: "p" }),
    });

  beforeAll(async () => {
    // The portal's own origin (PUBLIC_URL) receives upstream callbacks.
    portal = await startScriptedServer();
    elsewhere = await startScriptedServer();
    const config = loadConfig({ KLING_PROVIDER: "local", PUBLIC_URL: portal.url, EMULATOR_DURATION_MS: "300", PORT: "3999" });
    emulator = await startLocalEmulator(config);
    provider = createProvider(config);
  });
  afterAll(async () => {
    await emulator.close();
    await portal.close();
    await elsewhere.close();
  });

  it("listens on its own loopback port, not under the portal's", () => {
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.url).not.toContain(":3999");
  });

  it("accepts only the key it made at start: other local callers get 401", async () => {
    for (const key of ["local", "k", "anything"]) expect((await submitWithKey(key)).status).toBe(401);
    const official = await fetch(`${emulator.url}/v1/images/generations`, { method: "POST", headers: { Authorization: "Bearer x.y.z" }, body: "{}" });
    expect(official.status).toBe(401);
  });

  it("completes a task for the portal's client; its images are at the loopback address and download", async () => {
    const submitted = await provider.submit(request({ callback_url: `${portal.url}/api/callbacks/kling/s3cret` }));
    const done = await waitFor(async () => {
      const t = await provider.getStatus(submitted.taskId);
      return t.status === "succeed" && t;
    }, "a succeeded task");
    expect(done.images).toHaveLength(2);
    for (const img of done.images) {
      expect(img.url.startsWith(`${emulator.url}/images/`)).toBe(true);
      // No allow-list passed: the origin of this process's Kling client is the default one.
      const bytes = await downloadImage(img.url);
      expect(bytes.subarray(1, 4).toString()).toBe("PNG");
    }
    // Callbacks reached the portal's own origin, though it is on loopback.
    await waitFor(async () => portal.received.filter((r) => r.url === "/api/callbacks/kling/s3cret").length >= 2, "two callbacks");
  });

  it("sends no callback and fetches no reference image on any other private address", async () => {
    const t = await provider.submit(request({ callback_url: `${elsewhere.url}/hook`, image: `${elsewhere.url}/ref.png` }));
    await waitFor(async () => (await provider.getStatus(t.taskId)).status === "succeed", "a succeeded task");
    await new Promise((ok) => setTimeout(ok, 200));
    expect(elsewhere.received).toHaveLength(0);
  });
});

describe("the local provider without an emulator in this process (npm run worker)", () => {
  let provider: KlingProvider;
  beforeAll(() => {
    provider = createProvider(loadConfig({ KLING_PROVIDER: "local" }));
  });

  it("fails each call as never sent, saying where the emulator runs", async () => {
    const err: KlingError = await provider.submit(request()).catch((e) => e);
    expect(err).toBeInstanceOf(KlingError);
    expect(err.kind).toBe("network");
    expect(err.details.cause).toBe("ECONNREFUSED");
    expect(err.message).toMatch(/runs only inside the portal process \(npm start\)/);
  });
});
