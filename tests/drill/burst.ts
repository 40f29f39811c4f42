// A burst of tasks the way real callers send them: web submits with a
// signed-in session and gateway submits with an API key, spread over the
// portals. Every submit carries an Idempotency-Key and is retried with it
// until the portal acknowledges it, as a careful client would while a portal
// restarts; the drill then checks the portal kept its word for each one.
import { randomBytes } from "node:crypto";

export type Caller = { kind: "web"; cookie: string; email: string } | { kind: "api"; key: string; label: string };

export type PlannedTask = { seq: number; prompt: string; n: number; aspect_ratio: string; idempotencyKey: string };
export type Submitted = PlannedTask & { caller: Caller; portal: string; taskId?: string; attempts: number; lastError?: string };

const RATIOS = ["16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3"];

/**
 * n from 1 to 9, mostly small: every image is rendered by the emulator and
 * downloaded, checked and thumbnailed by the portal on a shared 2-core
 * machine, so the image count (not the task count) sets the drill's pace.
 */
export function planTasks(count: number, label: string, random = Math.random): PlannedTask[] {
  const run = randomBytes(3).toString("hex");
  return Array.from({ length: count }, (_, seq) => {
    const r = random();
    const n = r < 0.7 ? 1 : r < 0.9 ? 2 + Math.floor(random() * 2) : 4 + Math.floor(random() * 6);
    return {
      seq,
      prompt: `drill ${label} #${seq}: a lighthouse in a storm, variant ${Math.floor(random() * 1000)}`,
      n,
      aspect_ratio: RATIOS[seq % RATIOS.length],
      idempotencyKey: `drill-${label}-${run}-${seq}`,
    };
  });
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

export type Burst = {
  readonly submitted: Submitted[];
  /** Resolves once this share (0–1) of the burst is acknowledged. */
  reached(share: number, timeoutMs?: number): Promise<void>;
  done: Promise<Submitted[]>;
};

/**
 * Sends the planned tasks with a few in flight at once. Callers and portals
 * are taken in turn; `callers()` is read per task so a drill can add a key
 * mid-burst. A submit is retried (same Idempotency-Key) on network errors,
 * 5xx and 429 for up to `ackTimeoutMs`.
 */
export function startBurst(opts: {
  tasks: PlannedTask[];
  callers: () => Caller[];
  portals: () => string[];
  concurrency?: number;
  ackTimeoutMs?: number;
}): Burst {
  const concurrency = opts.concurrency ?? 8;
  const ackTimeoutMs = opts.ackTimeoutMs ?? 180_000;
  const submitted: Submitted[] = [];
  let acked = 0;
  const waiters: { at: number; ok: () => void }[] = [];
  const queue = [...opts.tasks];

  const one = async (plan: PlannedTask) => {
    const callers = opts.callers();
    const portals = opts.portals();
    const s: Submitted = { ...plan, caller: callers[plan.seq % callers.length], portal: portals[plan.seq % portals.length], attempts: 0 };
    submitted.push(s);
    const until = Date.now() + ackTimeoutMs;
    while (Date.now() < until) {
      s.attempts++;
      try {
        const id = await submitOnce(s);
        if (id) {
          s.taskId = id;
          break;
        }
      } catch (err) {
        s.lastError = err instanceof Error ? err.message : String(err);
        // A 4xx other than 429 will not get better by retrying.
        if (err instanceof SubmitRejected) break;
      }
      await sleep(Math.min(5000, 250 * 2 ** Math.min(s.attempts, 5)));
    }
    acked++;
    for (const w of waiters.filter((w) => acked >= w.at)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.ok();
    }
  };

  const done = Promise.all(
    Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let p = queue.shift(); p; p = queue.shift()) await one(p);
    }),
  ).then(() => {
    for (const w of waiters.splice(0)) w.ok();
    return submitted;
  });

  return {
    submitted,
    done,
    reached(share, timeoutMs = 300_000) {
      const at = Math.ceil(share * opts.tasks.length);
      if (acked >= at) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`burst did not reach ${Math.round(share * 100)}% in ${timeoutMs / 1000} s`)), timeoutMs);
        waiters.push({
          at,
          ok: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

class SubmitRejected extends Error {}

async function submitOnce(s: Submitted): Promise<string | undefined> {
  const body = JSON.stringify({ prompt: s.prompt, n: s.n, aspect_ratio: s.aspect_ratio });
  const headers: Record<string, string> = { "Content-Type": "application/json", "Idempotency-Key": s.idempotencyKey };
  let url: string;
  if (s.caller.kind === "web") {
    url = `${s.portal}/api/tasks`;
    headers.Cookie = s.caller.cookie;
  } else {
    url = `${s.portal}/kling-ai-image/v1/getImageTask`;
    headers["Ocp-Apim-Subscription-Key"] = s.caller.key;
    headers["Cache-Control"] = "no-cache";
  }
  // Longer than one blackholed upstream call: the portal submits inline before answering.
  const res = await fetch(url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(60_000) });
  const text = await res.text();
  if (res.status === 429 || res.status >= 500) throw new Error(`${res.status} ${text.slice(0, 200)}`);
  if (res.status >= 300) throw new SubmitRejected(`${res.status} ${text.slice(0, 200)}`);
  const json = JSON.parse(text);
  return s.caller.kind === "web" ? json.id : json?.data?.data?.task_id;
}

/** What the caller sees: the task's status through the same channel it was submitted on. */
export async function callerStatus(s: Submitted, portal = s.portal): Promise<string | undefined> {
  if (!s.taskId) return undefined;
  try {
    if (s.caller.kind === "web") {
      const res = await fetch(`${portal}/api/tasks/${s.taskId}`, {
        headers: { Cookie: s.caller.cookie },
        redirect: "manual",
        signal: AbortSignal.timeout(15_000),
      });
      if (!res.ok) return undefined;
      return (await res.json()).status;
    }
    const res = await fetch(`${portal}/kling-ai-polling/v1/getImageStatus`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Ocp-Apim-Subscription-Key": s.caller.key },
      body: JSON.stringify({ task_id: s.taskId }),
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) return undefined;
    return (await res.json()).task_status;
  } catch {
    return undefined;
  }
}

/**
 * Polls every acknowledged task until all are final (succeed or failed) or
 * the time is up; returns the ids still open. Bounded: `timeoutMs` overall,
 * a few requests in flight.
 */
export async function waitAllFinal(tasks: Submitted[], portals: () => string[], timeoutMs: number, onProgress?: (open: number) => void): Promise<Set<string>> {
  const open = new Set(tasks.filter((t) => t.taskId).map((t) => t.taskId!));
  const byId = new Map(tasks.filter((t) => t.taskId).map((t) => [t.taskId!, t]));
  const until = Date.now() + timeoutMs;
  let round = 0;
  while (open.size && Date.now() < until) {
    const ids = [...open];
    const list = portals();
    await Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        for (let i = w; i < ids.length; i += 6) {
          const status = await callerStatus(byId.get(ids[i])!, list[(i + round) % list.length]);
          if (status === "succeed" || status === "failed") open.delete(ids[i]);
        }
      }),
    );
    round++;
    onProgress?.(open.size);
    if (open.size) await sleep(3000);
  }
  return open;
}
