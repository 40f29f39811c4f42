// Share links, favourites, the task ZIP and PNG settings through their route
// handlers on both databases. The session is stubbed (getServerSession needs a
// Next.js request scope); the CSRF check, handlers, database and storage are real.
import { beforeEach, expect, it, vi } from "vitest";
import yauzl from "yauzl";
import { DELETE as unfavorite, PUT as favorite } from "@/app/api/images/[taskId]/[index]/favorite/route";
import { GET as signedFile } from "@/app/api/files/[taskId]/[file]/route";
import { GET as sharedImage } from "@/app/api/shares/[id]/images/[index]/route";
import { setUserDisabled } from "@/lib/admin/set-user-disabled";
import { signedImageUrl } from "@/lib/gateway/signed-url";
import { DELETE as revoke } from "@/app/api/shares/[id]/route";
import { GET as listSharesRoute, POST as createShareRoute } from "@/app/api/shares/route";
import { GET as downloadZip } from "@/app/api/tasks/[id]/download/route";
import { GET as downloadImages } from "@/app/api/images/download/route";
import { GET as listTasksRoute } from "@/app/api/tasks/route";
import { DELETE as deleteImageRoute, GET as imageRoute } from "@/app/api/images/[taskId]/[index]/route";
import { requireApiUser } from "@/lib/auth/session";
import { readImageParameters, readPngText } from "@/lib/images/png-parameters";
import { getSharedImages } from "@/lib/shares/shares";
import { getBlobStore } from "@/lib/storage";
import { describeEachDb } from "../helpers/db";
import { makeTask, makeUser } from "../helpers/fixtures";
import { makePng } from "../helpers/images";
import type { PrismaClient } from "@/lib/generated/prisma/client";

vi.mock("@/lib/auth/session", () => {
  const requireApiUser = vi.fn();
  return {
    requireApiUser,
    getSessionUser: vi.fn(),
    requireUser: vi.fn(),
    // The route's value, read for the stubbed user as the real one reads it with the session check.
    requireApiUserWith: async (extra: (id: string) => import("@/lib/db/client").Prisma.Sql) => {
      const user = await requireApiUser();
      const { getDb } = await import("@/lib/db/client");
      const [row] = await getDb().$queryRaw<{ extra: unknown }[]>`SELECT (${extra(user.id)}) AS extra`;
      return { user, extra: row!.extra };
    },
  };
});

const BASE = "http://localhost:3000";
const asUser = (user: { id: string; email: string }) =>
  vi.mocked(requireApiUser).mockResolvedValue({ id: user.id, email: user.email, name: null, isAdmin: false, hasPassword: true });
const params = <P>(p: P) => ({ params: Promise.resolve(p) });
const json = (method: string, path: string, body?: unknown) =>
  new Request(`${BASE}${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });

/** A succeeded task with `n` stored PNG images. */
async function succeededTask(db: PrismaClient, userId: string, n: number, prompt = "A lighthouse at dusk") {
  const task = await makeTask(db, userId, { prompt, negativePrompt: "fog", status: "succeed", n, aspectRatio: "16:9", finishedAt: new Date() });
  for (let index = 0; index < n; index++) {
    const png = await makePng(64, 36, index % 2 ? "#cc3366" : "#3366cc");
    const storageKey = `tasks/${task.id}/${index}.png`;
    await getBlobStore().put(storageKey, png, "image/png");
    await getBlobStore().put(`tasks/${task.id}/${index}.thumb.webp`, png, "image/webp");
    await db.taskImage.create({
      data: {
        taskId: task.id,
        index,
        upstreamUrl: "https://example.com/x.png",
        storageKey,
        thumbKey: `tasks/${task.id}/${index}.thumb.webp`,
        contentType: "image/png",
        bytes: png.length,
        width: 64,
        height: 36,
        sha256: `${index}`.repeat(64),
      },
    });
  }
  return task;
}

function unzip(bytes: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const files = new Map<string, Buffer>();
      zip.on("entry", (entry: yauzl.Entry) =>
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const parts: Buffer[] = [];
          stream.on("data", (c: Buffer) => parts.push(c));
          stream.on("end", () => {
            files.set(entry.fileName, Buffer.concat(parts));
            zip.readEntry();
          });
        }),
      );
      zip.on("end", () => resolve(files));
      zip.readEntry();
    });
  });
}

beforeEach(() => vi.mocked(requireApiUser).mockReset());

describeEachDb("share links", (ctx) => {
  it("creates a link to one image, serves its page data and image publicly, lists it, and 404s both at once after revoking", async () => {
    const owner = await makeUser(ctx.db);
    const task = await succeededTask(ctx.db, owner.id, 2);
    asUser(owner);
    const created = await createShareRoute(json("POST", "/api/shares", { taskId: task.id, index: 1 }), params({}));
    expect(created.status).toBe(201);
    const share = await created.json();
    expect(share).toMatchObject({ taskId: task.id, index: 1 });
    expect(share.url).toBe(`${process.env.PUBLIC_URL ?? "http://localhost:3000"}/s/${share.id}`);
    expect(share.id).toMatch(/^[A-Za-z0-9_-]{22}$/);

    // Public: no session at all.
    vi.mocked(requireApiUser).mockReset();
    expect((await getSharedImages(share.id))?.images.map((i) => i.index)).toEqual([1]);
    const img = await sharedImage(new Request(`${BASE}/api/shares/${share.id}/images/1`), params({ id: share.id, index: "1" }));
    expect(img.status).toBe(200);
    expect(img.headers.get("content-type")).toBe("image/png");
    expect(img.headers.get("cache-control")).toBe("no-cache");
    // Only the shared image of the task.
    expect((await sharedImage(new Request(`${BASE}/api/shares/${share.id}/images/0`), params({ id: share.id, index: "0" }))).status).toBe(404);

    asUser(owner);
    const listed = await (await listSharesRoute(new Request(`${BASE}/api/shares`), params({}))).json();
    expect(listed.shares.map((s: { id: string }) => s.id)).toEqual([share.id]);
    expect(listed.shares[0].prompt).toBe("A lighthouse at dusk");

    expect((await revoke(json("DELETE", `/api/shares/${share.id}`), params({ id: share.id }))).status).toBe(204);
    expect(await getSharedImages(share.id)).toBeNull();
    expect((await sharedImage(new Request(`${BASE}/api/shares/${share.id}/images/1`), params({ id: share.id, index: "1" }))).status).toBe(404);
    expect((await revoke(json("DELETE", `/api/shares/${share.id}`), params({ id: share.id }))).status).toBe(404);
  });

  it("a disabled owner's share links and signed gateway links stop serving, and serve again once the account is enabled", async () => {
    const owner = await makeUser(ctx.db);
    const task = await succeededTask(ctx.db, owner.id, 1);
    asUser(owner);
    const share = await (await createShareRoute(json("POST", "/api/shares", { taskId: task.id }), params({}))).json();
    vi.mocked(requireApiUser).mockReset();
    const signed = new URL(signedImageUrl(task.id, 0));
    const fetchBoth = async () => [
      (await sharedImage(new Request(`${BASE}/api/shares/${share.id}/images/0`), params({ id: share.id, index: "0" }))).status,
      (await signedFile(new Request(`${BASE}${signed.pathname}${signed.search}`), params({ taskId: task.id, file: "0.png" }))).status,
    ];
    expect(await fetchBoth()).toEqual([200, 200]);

    await setUserDisabled("some-admin", owner.id, true);
    expect(await getSharedImages(share.id)).toBeNull();
    expect(await fetchBoth()).toEqual([404, 404]);

    await setUserDisabled("some-admin", owner.id, false);
    expect(await fetchBoth()).toEqual([200, 200]);
  });

  it("shares every image of a task when index is left out", async () => {
    const owner = await makeUser(ctx.db);
    const task = await succeededTask(ctx.db, owner.id, 3);
    asUser(owner);
    const share = await (await createShareRoute(json("POST", "/api/shares", { taskId: task.id }), params({}))).json();
    expect(share.index).toBeNull();
    expect((await getSharedImages(share.id))?.images.map((i) => i.index)).toEqual([0, 1, 2]);
  });

  it("refuses bad input with a 4xx naming the field, and another user's task or link as a 404", async () => {
    const owner = await makeUser(ctx.db);
    const stranger = await makeUser(ctx.db);
    const task = await succeededTask(ctx.db, owner.id, 1);
    const running = await makeTask(ctx.db, owner.id, { status: "processing" });
    asUser(owner);
    const cases: [unknown, number, string][] = [
      [{}, 400, "taskId"],
      [{ taskId: task.id, index: 9 }, 400, "index"],
      [{ taskId: task.id, index: 1.5 }, 400, "index"],
      [{ taskId: task.id, index: "0" }, 400, "index"],
      [{ taskId: task.id, index: 4 }, 400, "index"],
      [{ taskId: task.id, extra: true }, 400, "extra"],
      [{ taskId: "nope" }, 404, "taskId"],
    ];
    for (const [body, status, field] of cases) {
      const res = await createShareRoute(json("POST", "/api/shares", body), params({}));
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(Object.keys((await res.json()).error.fields ?? {}), JSON.stringify(body)).toContain(field);
    }
    expect((await createShareRoute(json("POST", "/api/shares", { taskId: running.id }), params({}))).status).toBe(409);
    const share = await (await createShareRoute(json("POST", "/api/shares", { taskId: task.id }), params({}))).json();

    asUser(stranger);
    expect((await createShareRoute(json("POST", "/api/shares", { taskId: task.id }), params({}))).status).toBe(404);
    expect((await revoke(json("DELETE", `/api/shares/${share.id}`), params({ id: share.id }))).status).toBe(404);
    expect((await (await listSharesRoute(new Request(`${BASE}/api/shares`), params({}))).json()).shares).toEqual([]);
    expect(await ctx.db.share.count({ where: { userId: owner.id } })).toBe(1);
    // A cross-site write is refused before anything is written.
    asUser(owner);
    const crossSite = new Request(`${BASE}/api/shares`, {
      method: "POST",
      headers: { "content-type": "text/plain", origin: "https://evil.example" },
      body: JSON.stringify({ taskId: task.id }),
    });
    expect((await createShareRoute(crossSite, params({}))).status).toBe(403);
    expect(await ctx.db.share.count({ where: { userId: owner.id } })).toBe(1);
  });

  it("a deleted task takes its links with it", async () => {
    const owner = await makeUser(ctx.db);
    const task = await succeededTask(ctx.db, owner.id, 1);
    asUser(owner);
    const share = await (await createShareRoute(json("POST", "/api/shares", { taskId: task.id, index: 0 }), params({}))).json();
    await ctx.db.task.delete({ where: { id: task.id } });
    expect(await getSharedImages(share.id)).toBeNull();
  });
});

describeEachDb("favourites", (ctx) => {
  it("marks and unmarks an image, filters the history by favourites and counts them", async () => {
    const owner = await makeUser(ctx.db);
    const a = await succeededTask(ctx.db, owner.id, 3, "first");
    await succeededTask(ctx.db, owner.id, 2, "second");
    asUser(owner);
    const put = await favorite(json("PUT", `/api/images/${a.id}/2/favorite`), params({ taskId: a.id, index: "2" }));
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ taskId: a.id, index: 2, favorite: true });
    // Idempotent.
    expect((await favorite(json("PUT", `/api/images/${a.id}/2/favorite`), params({ taskId: a.id, index: "2" }))).status).toBe(200);

    const list = async (query: string) => (await listTasksRoute(new Request(`${BASE}/api/tasks?${query}`), params({}))).json();
    const all = await list("count=true");
    expect([all.total, all.totalImages]).toEqual([2, 5]);
    // Without count=true nothing is counted.
    expect((await list("")).total).toBeNull();
    const favs = await list("favorite=true&count=true");
    expect(favs.tasks.map((t: { prompt: string }) => t.prompt)).toEqual(["first"]);
    expect(favs.tasks[0].images.map((i: { favorite: boolean }) => i.favorite)).toEqual([false, false, true]);
    expect([favs.total, favs.totalImages]).toEqual([1, 1]);
    // Later pages do not count again.
    const page1 = await list("limit=1&count=true");
    expect(page1.total).toBe(2);
    expect((await list(`limit=1&count=true&cursor=${page1.nextCursor}`)).total).toBeNull();
    expect((await listTasksRoute(new Request(`${BASE}/api/tasks?favorite=maybe`), params({}))).status).toBe(400);

    expect((await unfavorite(json("DELETE", `/api/images/${a.id}/2/favorite`), params({ taskId: a.id, index: "2" }))).status).toBe(200);
    expect((await list("favorite=true")).tasks).toEqual([]);
  });

  it("answers 404 for another user's image, a missing one and a malformed index, changing nothing", async () => {
    const owner = await makeUser(ctx.db);
    const stranger = await makeUser(ctx.db);
    const a = await succeededTask(ctx.db, owner.id, 1);
    asUser(stranger);
    for (const index of ["0", "1", "9", "-1", "x", "01"]) {
      expect((await favorite(json("PUT", `/api/images/${a.id}/${index}/favorite`), params({ taskId: a.id, index }))).status, index).toBe(404);
    }
    expect(await ctx.db.taskImage.count({ where: { taskId: a.id, favorite: true } })).toBe(0);
  });
});

describeEachDb("downloads carry their settings", (ctx) => {
  it("a downloaded PNG embeds prompt, negative prompt, ratio, task id and provider as text chunks (parameters and kling-portal)", async () => {
    const owner = await makeUser(ctx.db);
    const task = await succeededTask(ctx.db, owner.id, 1, "Fjord at dawn — ünïcode ✓");
    asUser(owner);
    const res = await imageRoute(new Request(`${BASE}/api/images/${task.id}/0?download=1`), params({ taskId: task.id, index: "0" }));
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Number(res.headers.get("content-length"))).toBe(bytes.byteLength);
    const text = readPngText(bytes);
    expect(text.parameters).toBe(
      `Fjord at dawn — ünïcode ✓\nNegative prompt: fog\nAspect ratio: 16:9, Size: 64x36, Task id: ${task.id}, Provider: local, Model: Kling`,
    );
    expect(readImageParameters(bytes)).toMatchObject({
      prompt: "Fjord at dawn — ünïcode ✓",
      negative_prompt: "fog",
      aspect_ratio: "16:9",
      task_id: task.id,
      provider: "local",
    });
    // Still a PNG any decoder reads.
    const sharp = (await import("sharp")).default;
    expect(await sharp(Buffer.from(bytes)).metadata()).toMatchObject({ format: "png", width: 64, height: 36 });
    // The image shown in the page is left as stored.
    const plain = new Uint8Array(
      await (await imageRoute(new Request(`${BASE}/api/images/${task.id}/0`), params({ taskId: task.id, index: "0" }))).arrayBuffer(),
    );
    expect(readImageParameters(plain)).toBeNull();
  });

  it("GET /api/tasks/<id>/download streams a ZIP of the task's images, each with its settings; 404 for others", async () => {
    const owner = await makeUser(ctx.db);
    const stranger = await makeUser(ctx.db);
    const task = await succeededTask(ctx.db, owner.id, 3, "Three foxes");
    asUser(owner);
    const res = await downloadZip(new Request(`${BASE}/api/tasks/${task.id}/download`), params({ id: task.id }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="three-foxes.zip"');
    const files = await unzip(Buffer.from(await res.arrayBuffer()));
    expect([...files.keys()]).toEqual(["three-foxes-1.png", "three-foxes-2.png", "three-foxes-3.png"]);
    for (const png of files.values()) expect(readImageParameters(new Uint8Array(png))?.task_id).toBe(task.id);
    const running = await makeTask(ctx.db, owner.id, { status: "processing" });
    expect((await downloadZip(new Request(`${BASE}/api/tasks/${running.id}/download`), params({ id: running.id }))).status).toBe(404);
    asUser(stranger);
    expect((await downloadZip(new Request(`${BASE}/api/tasks/${task.id}/download`), params({ id: task.id }))).status).toBe(404);
  });

  it("GET /api/images/download streams chosen images of several tasks as one ZIP; refuses bad picks and others' images", async () => {
    const owner = await makeUser(ctx.db);
    const stranger = await makeUser(ctx.db);
    const a = await succeededTask(ctx.db, owner.id, 3, "Same prompt");
    const b = await succeededTask(ctx.db, owner.id, 2, "Same prompt");
    asUser(owner);
    const get = (query: string) => downloadImages(new Request(`${BASE}/api/images/download?${query}`), params({}));
    const res = await get(`i=${a.id}.2&i=${b.id}.0&i=${a.id}.0`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="kling-images-3.zip"');
    const files = await unzip(Buffer.from(await res.arrayBuffer()));
    // One prompt for both tasks: the second task's names carry its id.
    expect([...files.keys()].sort()).toEqual(["same-prompt-1.png", "same-prompt-3.png", `same-prompt-1-${b.id}.png`].sort());
    for (const [query, status] of [
      ["", 400],
      ["i=nope", 400],
      [`i=${a.id}.9`, 400],
      [`i=${a.id}.5`, 404],
    ] as const) {
      expect((await get(query)).status, query).toBe(status);
    }
    asUser(stranger);
    expect((await get(`i=${a.id}.0`)).status).toBe(404);
  });
});

describeEachDb("deleting one image", (ctx) => {
  const imageParams = (taskId: string, index: number) => params({ taskId, index: String(index) });
  const del = (taskId: string, index: number) => deleteImageRoute(json("DELETE", `/api/images/${taskId}/${index}`), imageParams(taskId, index));

  it("removes that image's row, files and links to it; the other images keep their indexes, links to the whole task stay", async () => {
    const owner = await makeUser(ctx.db);
    const task = await succeededTask(ctx.db, owner.id, 3);
    asUser(owner);
    const toImage = await (await createShareRoute(json("POST", "/api/shares", { taskId: task.id, index: 1 }), params({}))).json();
    const toOther = await (await createShareRoute(json("POST", "/api/shares", { taskId: task.id, index: 2 }), params({}))).json();
    const toTask = await (await createShareRoute(json("POST", "/api/shares", { taskId: task.id }), params({}))).json();

    expect((await del(task.id, 1)).status).toBe(204);

    const left = await ctx.db.taskImage.findMany({ where: { taskId: task.id }, orderBy: { index: "asc" } });
    expect(left.map((i) => i.index)).toEqual([0, 2]);
    expect(await getBlobStore().get(`tasks/${task.id}/1.png`)).toBeNull();
    expect(await getBlobStore().get(`tasks/${task.id}/1.thumb.webp`)).toBeNull();
    expect(await getBlobStore().get(`tasks/${task.id}/2.png`)).not.toBeNull();
    expect((await imageRoute(new Request(`${BASE}/api/images/${task.id}/1`), imageParams(task.id, 1))).status).toBe(404);
    expect((await imageRoute(new Request(`${BASE}/api/images/${task.id}/2`), imageParams(task.id, 2))).status).toBe(200);

    // The link to the deleted image is gone (its page and image 404); the others still work.
    expect(await getSharedImages(toImage.id)).toBeNull();
    expect((await sharedImage(new Request(`${BASE}/api/shares/${toImage.id}/images/1`), params({ id: toImage.id, index: "1" }))).status).toBe(404);
    expect((await getSharedImages(toOther.id))?.images.map((i) => i.index)).toEqual([2]);
    expect((await getSharedImages(toTask.id))?.images.map((i) => i.index)).toEqual([0, 2]);

    // Deleting it again is a 404.
    expect((await del(task.id, 1)).status).toBe(404);
  });

  it("deletes the task with its last image", async () => {
    const owner = await makeUser(ctx.db);
    const task = await succeededTask(ctx.db, owner.id, 2);
    asUser(owner);
    expect((await del(task.id, 0)).status).toBe(204);
    expect(await ctx.db.task.count({ where: { id: task.id } })).toBe(1);
    expect((await del(task.id, 1)).status).toBe(204);
    expect(await ctx.db.task.count({ where: { id: task.id } })).toBe(0);
    expect(await getBlobStore().get(`tasks/${task.id}/1.png`)).toBeNull();
  });

  it("answers another user, a missing image and a bad index with a 404 and changes nothing", async () => {
    const owner = await makeUser(ctx.db);
    const stranger = await makeUser(ctx.db);
    const task = await succeededTask(ctx.db, owner.id, 2);
    asUser(owner);
    const share = await (await createShareRoute(json("POST", "/api/shares", { taskId: task.id, index: 0 }), params({}))).json();
    asUser(stranger);
    expect((await del(task.id, 0)).status).toBe(404);
    asUser(owner);
    expect((await del(task.id, 5)).status).toBe(404);
    const bad = await deleteImageRoute(json("DELETE", `/api/images/${task.id}/x`), params({ taskId: task.id, index: "x" }));
    expect(bad.status).toBe(404);
    expect(await ctx.db.taskImage.count({ where: { taskId: task.id } })).toBe(2);
    expect(await getBlobStore().get(`tasks/${task.id}/0.png`)).not.toBeNull();
    expect(await getSharedImages(share.id)).not.toBeNull();
  });

  it("refuses while the task is still being archived (409), and changes nothing", async () => {
    const owner = await makeUser(ctx.db);
    const task = await succeededTask(ctx.db, owner.id, 2);
    await ctx.db.task.update({ where: { id: task.id }, data: { status: "processing" } });
    asUser(owner);
    expect((await del(task.id, 0)).status).toBe(409);
    expect(await ctx.db.taskImage.count({ where: { taskId: task.id } })).toBe(2);
    expect(await getBlobStore().get(`tasks/${task.id}/0.png`)).not.toBeNull();
  });

  it("refuses a cross-site delete", async () => {
    const owner = await makeUser(ctx.db);
    const task = await succeededTask(ctx.db, owner.id, 1);
    asUser(owner);
    const req = new Request(`${BASE}/api/images/${task.id}/0`, { method: "DELETE", headers: { origin: "https://evil.example" } });
    expect((await deleteImageRoute(req, imageParams(task.id, 0))).status).toBe(403);
    expect(await ctx.db.taskImage.count({ where: { taskId: task.id } })).toBe(1);
  });
});
