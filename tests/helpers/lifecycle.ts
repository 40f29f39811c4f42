// The moving parts of a generation without Next.js: the emulator as upstream,
// a small HTTP server that delivers its callbacks to the real callback
// handler, and the portal's Appy Pie client pointed at the emulator.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { resetConfig } from "@/lib/config";
import { errorResponse } from "@/lib/http/errors";
import { createAppyPieClient } from "@/lib/kling/appypie-client";
import { createEmulator, type Emulator, type EmulatorOptions } from "@/lib/kling/emulator/server";
import { handleUpstreamCallback } from "@/lib/tasks/handle-callback";
import { setProvider } from "@/lib/tasks/provider";
import { reconcileOnce } from "@/lib/tasks/reconciler";
import type { PrismaClient } from "@/lib/generated/prisma/client";

export type Lifecycle = {
  emulator: Emulator;
  /** The emulator's base URL. */
  url: string;
  callbackStatuses: number[];
  close(): Promise<void>;
};

/** `loseCallbacksAfter`: callbacks after this many are lost on the way (answered 502, never handled). */
export async function startLifecycle(opts: EmulatorOptions & { key?: string; timeoutMs?: number; loseCallbacksAfter?: number } = {}): Promise<Lifecycle> {
  // Its callbacks go to the test portal below, on 127.0.0.1.
  const emulator = createEmulator({ durationMs: 300, outbound: { allowPrivate: true }, ...opts });
  const { url } = await emulator.listen();
  const callbackStatuses: number[] = [];
  const portal = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const secret = /^\/api\/callbacks\/kling\/([^/?]+)/.exec(req.url ?? "")?.[1] ?? "";
    let response: Response;
    if (opts.loseCallbacksAfter !== undefined && callbackStatuses.length >= opts.loseCallbacksAfter) {
      callbackStatuses.push(502);
      res.writeHead(502).end();
      return;
    }
    try {
      response = await handleUpstreamCallback(new Request(`http://portal${req.url}`, { method: "POST", body: Buffer.concat(chunks) }), secret);
    } catch (err) {
      response = errorResponse(err);
    }
    callbackStatuses.push(response.status);
    res.writeHead(response.status, { "Content-Type": "application/json" });
    res.end(await response.text());
  });
  await new Promise<void>((ok) => portal.listen(0, "127.0.0.1", ok));
  process.env.PUBLIC_URL = `http://127.0.0.1:${(portal.address() as AddressInfo).port}`;
  resetConfig();
  setProvider(createAppyPieClient({ name: "local", baseUrl: url, subscriptionKey: opts.key ?? "test-key", timeoutMs: opts.timeoutMs ?? 3000, maxRetries: 0 }));
  return {
    emulator,
    url,
    callbackStatuses,
    async close() {
      setProvider(undefined);
      await emulator.close();
      portal.closeAllConnections();
      await new Promise<void>((ok) => portal.close(() => ok()));
      delete process.env.PUBLIC_URL;
      resetConfig();
    },
  };
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/** Runs reconciler passes, with the clock moved past any backoff, until the task is final. */
export async function finishTask(db: PrismaClient, id: string) {
  const row = () => db.task.findUniqueOrThrow({ where: { id }, include: { images: true } });
  for (let pass = 0; pass < 60; pass++) {
    const t = await row();
    if (t.status === "succeed" || t.status === "failed") return t;
    // Each pass moves the clock past any backoff (up to 60 s), staying inside the 15-minute deadline.
    await reconcileOnce({ now: new Date(Date.now() + Math.min(70 * (pass + 1), 800) * 1000) });
    await new Promise((ok) => setTimeout(ok, 60));
  }
  throw new Error(`task ${id} did not finish`);
}
