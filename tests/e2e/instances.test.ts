// Several instances on one PostgreSQL, as the README's "Running in production"
// describes: `npm run db:migrate` and `npm run build` once, then two portals
// (`npm start`) and a worker (`npm run worker`), images in an S3-compatible
// bucket (s3rver), the standalone emulator upstream. A session made on one
// portal works on the other, an image archived by one is served by the other
// (signed links too), and a per-key limit, a per-user web submit limit and a
// sign-in lockout hold across both. And a portal
// refuses to start without AUTH_SECRET or on a schema that is behind.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresSchema, dropPostgresSchema } from "../drill/database";
import { buildOnce, portalEnv, startEmulatorProcess, startWorker, type EmulatorProcess, type WorkerProcess } from "../drill/processes";
import { stripSchemaParam } from "@/lib/db/adapter";
import { startS3 } from "../helpers/s3";
import { spawnCli } from "../helpers/spawn";
import { startPortal, type Portal } from "./helpers/portal";
import { signUp, type Session } from "./helpers/session";

const postgresUrl = process.env.TEST_DATABASE_URL;
const SUBMITS_PER_MINUTE = 4;

type Db = Awaited<ReturnType<typeof createPostgresSchema>>;

describe.skipIf(!postgresUrl)("two portals and a worker on one PostgreSQL with S3 storage", () => {
  let db: Db;
  let s3: Awaited<ReturnType<typeof startS3>>;
  let emulator: EmulatorProcess;
  let one: Portal;
  let two: Portal;
  let worker: WorkerProcess;
  let workerDir: string;
  let env: Record<string, string>;
  let user: Session;
  let key: string;

  const gateway = (portal: Portal, route: string, body: unknown) =>
    fetch(`${portal.url}${route}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Ocp-Apim-Subscription-Key": key },
      body: JSON.stringify(body),
    });
  const submit = (portal: Portal) => gateway(portal, "/kling-ai-image/v1/getImageTask", { prompt: "A lighthouse in fog", n: 2, aspect_ratio: "1:1" });
  const asUser = (portal: Portal, p: string, init: RequestInit = {}) =>
    fetch(`${portal.url}${p}`, { ...init, headers: { ...(init.headers as Record<string, string>), Cookie: user.cookie }, redirect: "manual" });

  beforeAll(async () => {
    // The deploy: migrate once, build once; then start the instances.
    [db, s3, emulator] = await Promise.all([createPostgresSchema(postgresUrl!), startS3(), startEmulatorProcess({ durationMs: 1500 })]);
    buildOnce(() => {});
    env = {
      ...portalEnv({ emulatorUrl: emulator.url, provider: "appypie", databaseUrl: db.url }),
      RATE_LIMIT_SUBMIT_PER_MINUTE: String(SUBMITS_PER_MINUTE),
      SIGNIN_FAILURES_BEFORE_LOCKOUT: "3",
      SIGNIN_LOCKOUT_SECONDS: "120",
      S3_ENDPOINT: s3.options.endpoint,
      S3_BUCKET: s3.options.bucket,
      S3_ACCESS_KEY_ID: s3.options.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.options.secretAccessKey,
      S3_FORCE_PATH_STYLE: "true",
    };
    // The second portal runs no reconciler: what it serves, another process archived.
    [one, two] = await Promise.all([startPortal(env), startPortal({ ...env, RECONCILER_ENABLED: "false" })]);
    workerDir = await mkdtemp(path.join(os.tmpdir(), "kling-portal-worker-"));
    worker = await startWorker({ ...env, DATA_DIR: workerDir, PUBLIC_URL: one.url });
  });
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop(), worker?.stop(), emulator?.stop()]);
    await Promise.all([s3?.close(), db && dropPostgresSchema(db), workerDir && rm(workerDir, { recursive: true, force: true })]);
  });

  it("accepts a session made on one portal on the other, where it creates an API key", async () => {
    user = await signUp(one.url, "multi@example.com");
    const session = await (await asUser(two, "/api/auth/session")).json();
    expect(session.user.email).toBe("multi@example.com");
    const created = await asUser(two, "/api/keys", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "both" }) });
    expect(created.status).toBe(201);
    key = (await created.json()).key;
    expect((await asUser(one, "/api/keys")).status).toBe(200);
  });

  it("serves on one portal the images another process archived to the bucket, by signed link and by session", async () => {
    const res = await submit(one);
    expect(res.status).toBe(200);
    const taskId: string = (await res.json()).data.data.task_id;
    let status: { task_status: string; task_result?: { images: { url: string }[] } } = { task_status: "submitted" };
    for (let i = 0; status.task_status !== "succeed"; i++) {
      if (i > 240) throw new Error(`the task did not succeed within 60 s: ${JSON.stringify(status)}`);
      await new Promise((r) => setTimeout(r, 250));
      status = await (await gateway(two, "/kling-ai-polling/v1/getImageStatus", { task_id: taskId })).json();
    }
    const urls = status.task_result!.images.map((i) => i.url);
    expect(urls).toHaveLength(2);
    for (const url of urls) {
      // A link signed by the second portal, fetched from it and from the first: one secret.
      expect(url.startsWith(`${two.url}/api/files/`)).toBe(true);
      for (const base of [two.url, one.url]) {
        const image = await fetch(url.replace(two.url, base));
        expect(image.status, `${base}: ${url}`).toBe(200);
        expect((await sharp(Buffer.from(await image.arrayBuffer())).metadata()).format).toBe("png");
      }
    }
    const thumb = await asUser(two, `/api/images/${taskId}/1?size=thumb`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get("content-type")).toBe("image/webp");
    // Nothing was written to any instance's own folder: the bucket holds the images.
    for (const dir of [one.dataDir, two.dataDir, workerDir]) expect(existsSync(path.join(dir, "images")), dir).toBe(false);
  });

  it("holds a key's per-minute submit budget across both portals", async () => {
    // One submit was spent above; the rest of the budget, alternating portals.
    for (let i = 1; i < SUBMITS_PER_MINUTE; i++) expect((await submit(i % 2 ? two : one)).status).toBe(200);
    for (const portal of [one, two]) {
      const refused = await submit(portal);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
  });

  it("holds a user's per-minute web submit budget across both portals, spending none on a refused body", async () => {
    const webSubmit = (portal: Portal, body: unknown) =>
      asUser(portal, "/api/tasks", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    // A bad body is a 400 naming the field, and costs nothing.
    for (const portal of [one, two]) {
      const bad = await webSubmit(portal, { prompt: "", n: 1 });
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.fields).toHaveProperty("prompt");
    }
    for (let i = 0; i < SUBMITS_PER_MINUTE; i++) expect((await webSubmit(i % 2 ? two : one, { prompt: `A web lantern ${i}`, n: 1 })).status).toBe(202);
    for (const portal of [one, two]) {
      const refused = await webSubmit(portal, { prompt: "One too many", n: 1 });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect((await refused.json()).error.message).toMatch(/^Too many generations at once: try again in \d+ s$/);
    }
    // Without a session it is a 401, whatever the body.
    const anonymous = await fetch(`${one.url}/api/tasks`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{" });
    expect(anonymous.status).toBe(401);
  });

  it("stores a web submit with its admission, or under the image budget's lock for a user with a monthly limit", async () => {
    // Unlimited: admitted and stored in one statement (start-task.ts, insertAtAdmission), then sent.
    const free = await signUp(one.url, "unlimited@example.com");
    const made = await free.fetch("/api/tasks", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ prompt: "A free lantern", n: 2 }),
    });
    expect(made.status).toBe(202);
    const task = (await made.json()) as { id: string; status: string };
    expect(task.status).toBe("submitted");
    // Limited to 3 images a month: admitted, then stored by createTask under the budget's lock, which refuses the third image onward.
    const limited = await signUp(two.url, "limited@example.com");
    const client = new pg.Client({ connectionString: stripSchemaParam(db.url) });
    await client.connect();
    try {
      await client.query(`UPDATE "${db.schema}"."User" SET "monthlyImageQuota" = 3 WHERE email = $1`, ["limited@example.com"]);
      const post = (n: number) =>
        limited.fetch("/api/tasks", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ prompt: "A counted lantern", n }),
        });
      expect((await post(2)).status).toBe(202);
      const over = await post(2);
      expect(over.status).toBe(403);
      expect((await over.json()).error.code).toBe("quota_exceeded");
      const { rows } = await client.query(
        `SELECT u.email, count(t.id)::int AS tasks, coalesce(sum(t.n), 0)::int AS images FROM "${db.schema}"."User" u LEFT JOIN "${db.schema}"."Task" t ON t."userId" = u.id
         WHERE u.email IN ('unlimited@example.com', 'limited@example.com') GROUP BY u.email ORDER BY u.email`,
      );
      expect(rows).toEqual([
        { email: "limited@example.com", tasks: 1, images: 2 },
        { email: "unlimited@example.com", tasks: 1, images: 2 },
      ]);
    } finally {
      await client.end();
    }
  });

  it("locks sign-in out on both portals after failures spread over both", async () => {
    // next-auth's credentials callback as its client posts it; the status tells failure (401) from lockout (429).
    const attempt = async (portal: Portal, password: string) => {
      const csrf = await fetch(`${portal.url}/api/auth/csrf`);
      const { csrfToken } = (await csrf.json()) as { csrfToken: string };
      const res = await fetch(`${portal.url}/api/auth/callback/credentials`, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Cookie: csrf.headers
            .getSetCookie()
            .map((c) => c.split(";")[0])
            .join("; "),
        },
        body: new URLSearchParams({ csrfToken, email: "multi@example.com", password, json: "true" }),
        redirect: "manual",
      });
      return res.status;
    };
    expect(await attempt(one, "wrong 1")).toBe(401);
    expect(await attempt(two, "wrong 2")).toBe(401);
    expect(await attempt(one, "wrong 3")).toBe(429);
    // The right password, on the portal that saw only one failure: still locked.
    expect(await attempt(two, "correct horse battery")).toBe(429);
  });

  it("refuses to start without AUTH_SECRET, naming it", async () => {
    await expect(startPortal({ ...env, AUTH_SECRET: "" })).rejects.toThrow(/AUTH_SECRET is required with a PostgreSQL DATABASE_URL/);
  });

  it("refuses to start on a schema that is behind, saying to run npm run db:migrate", async () => {
    const u = new URL(db.url);
    u.searchParams.set("schema", `${db.schema}_unmigrated`);
    await expect(startPortal({ ...env, DATABASE_URL: u.toString() })).rejects.toThrow(
      /schema is behind this code: \d+ migration\(s\) not applied .*Run `npm run db:migrate` once for this deploy/,
    );
    await expect(spawnCli("lib/cli/worker.ts", [], { env: { ...env, DATABASE_URL: u.toString() }, ready: /Worker running/ })).rejects.toThrow(
      /schema is behind this code/,
    );
  });
});
