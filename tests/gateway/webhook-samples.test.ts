// The verification receivers shown at /docs, run as a caller would run them,
// against real signed deliveries: a genuine one is accepted, a forged one refused.
// The Python one runs where its standardwebhooks package is installed; where it
// cannot be (PyPI is out of reach on these machines) it is only parsed.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { resetConfig } from "@/lib/config";
import { WEBHOOK_VERIFY_SAMPLES } from "@/lib/docs/webhook-samples";
import { deliverDueCallbacks } from "@/lib/gateway/callbacks/deliver-callbacks";
import { applyStatus } from "@/lib/tasks/apply-status";
import { describeEachDb } from "../helpers/db";
import { makeTask, makeUser } from "../helpers/fixtures";
import { freePort } from "../helpers/free-port";

const env = process.env as Record<string, string | undefined>;
const root = path.resolve(import.meta.dirname, "../..");
const hasPythonPackage = spawnSync("python3", ["-c", "import standardwebhooks.webhooks"]).status === 0;

async function startSample(lang: "node" | "python", secret: string) {
  const port = await freePort();
  const code = WEBHOOK_VERIFY_SAMPLES[lang].replace("8080", String(port));
  const child: ChildProcess =
    lang === "node"
      ? spawn(process.execPath, ["--input-type=module", "-e", code], { cwd: root, env: { ...process.env, KLING_PORTAL_SIGNING_SECRET: secret } })
      : spawn("python3", ["-u", "-c", code], { cwd: root, env: { ...process.env, KLING_PORTAL_SIGNING_SECRET: secret } });
  let out = "";
  child.stdout!.on("data", (c) => (out += c));
  child.stderr!.on("data", (c) => (out += c));
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((ok) =>
      net
        .connect(port, "127.0.0.1")
        .once("connect", function (this: net.Socket) {
          this.destroy();
          ok(true);
        })
        .once("error", () => ok(false)),
    );
    if (up) break;
    if (i > 100 || child.exitCode !== null) throw new Error(`sample did not start: ${out}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
  return { url: `http://127.0.0.1:${port}`, output: () => out, stop: () => child.kill() };
}

describeEachDb("the /docs verification samples", (ctx) => {
  beforeAll(() => {
    env.CALLBACK_ALLOW_PRIVATE = "true";
    resetConfig();
  });
  afterAll(() => {
    delete env.CALLBACK_ALLOW_PRIVATE;
    resetConfig();
  });

  if (!hasPythonPackage) {
    it("python: the sample is valid Python that verifies with standardwebhooks (not run: the package is not installed here)", () => {
      const code = WEBHOOK_VERIFY_SAMPLES.python;
      const parsed = spawnSync("python3", ["-c", "import ast, sys; ast.parse(sys.stdin.read())"], { input: code });
      expect(parsed.status, parsed.stderr?.toString()).toBe(0);
      expect(code).toMatch(/from standardwebhooks/);
      expect(code).toMatch(/\.verify\(/);
    });
  }

  for (const lang of hasPythonPackage ? (["node", "python"] as const) : (["node"] as const)) {
    it(`${lang}: accepts a genuine notification and refuses one signed with another secret`, async () => {
      const user = await makeUser(ctx.db);
      const key = await createApiKey(user.id, `${lang} receiver`);
      const impostor = await createApiKey(user.id, "another key");
      const sample = await startSample(lang, key.signingSecret);
      try {
        const genuine = await makeTask(ctx.db, user.id, { status: "queued", source: "api", apiKeyId: key.id, clientCallbackUrl: `${sample.url}/hook` });
        const forged = await makeTask(ctx.db, user.id, { status: "queued", source: "api", apiKeyId: impostor.id, clientCallbackUrl: `${sample.url}/hook` });
        for (const t of [genuine, forged]) await applyStatus(t.id, { taskId: `u-${t.id}`, status: "submitted", statusMsg: "", images: [] });
        await deliverDueCallbacks();
        const row = (taskId: string) => ctx.db.callbackDelivery.findFirstOrThrow({ where: { taskId } });
        expect(await row(genuine.id)).toMatchObject({ state: "delivered", lastStatusCode: 204 });
        expect(await row(forged.id)).toMatchObject({ state: "pending", lastStatusCode: 400 });
        for (let i = 0; i < 50 && !sample.output().includes(genuine.id); i++) await new Promise((ok) => setTimeout(ok, 50));
        expect(sample.output()).toContain(`${genuine.id} submitted`);
        expect(sample.output()).not.toContain(forged.id);
      } finally {
        sample.stop();
      }
    });
  }
});
