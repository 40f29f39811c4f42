// The emulator's shared state (tasks, call counters, drill counts, timers) and
// starting a task: its clock, its reference image, its callbacks, its drill count.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { KlingImageRequest } from "../schema";
import { scheduleCallbacks } from "./callbacks";
import { createDrillStats, type DrillStats } from "./drill-stats";
import type { Faults } from "./faults";
import { createReferenceImages } from "./reference-images";
import type { EmulatorOptions } from "./options";
import { newTask, type ApiFamily, type EmulatedTask } from "./task-clock";
import { createTaskStore, type TaskStore } from "./task-store";

/** `busy`: submits refused because the account's parallel limit (the concurrency fault) was reached. */
export type Calls = { submit: number; status: number; images: number; lookup: number; busy: number };

export type EmulatorCore = {
  opts: EmulatorOptions;
  basePath: string;
  tasks: TaskStore;
  calls: Calls;
  drills: DrillStats;
  /** Where this request's client downloads images from. */
  imagesBase(req: IncomingMessage): string;
  /** True (and counted) when a task of n images would exceed the account's parallel limit. */
  overLimit(n: number, faults: Faults): boolean;
  startTask(args: { api: ApiFamily; request: KlingImageRequest; externalTaskId?: string; faults: Faults; req: IncomingMessage }): EmulatedTask;
  cancelTimers(): void;
};

export function createCore(opts: EmulatorOptions): EmulatorCore {
  const basePath = (opts.basePath ?? "").replace(/\/+$/, "");
  const maxTasks = opts.maxTasks ?? 5000;
  const outbound = opts.outbound ?? {};
  const onError = opts.onError ?? (() => {});
  const timers = new Set<NodeJS.Timeout>();

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    t.unref();
    timers.add(t);
  };

  const references = createReferenceImages(outbound, undefined, onError);

  const core: EmulatorCore = {
    opts,
    basePath,
    tasks: createTaskStore(maxTasks),
    calls: { submit: 0, status: 0, images: 0, lookup: 0, busy: 0 },
    drills: createDrillStats(maxTasks),
    imagesBase: (req) => opts.publicBaseUrl ?? `http://${req.headers.host ?? "127.0.0.1"}${basePath}`,
    overLimit(n, faults) {
      if (!faults.concurrency || core.tasks.slotsInFlight() + n <= faults.concurrency) return false;
      core.calls.busy++;
      return true;
    },
    startTask({ api, request, externalTaskId, faults, req }) {
      const failRate = faults.failRate ?? opts.failureRate ?? 0;
      const task = newTask({
        api,
        request,
        externalTaskId,
        durationMs: faults.durationMs ?? opts.durationMs ?? 4000,
        outcome: faults.outcome ?? (Math.random() < failRate ? "failed" : "succeed"),
        imagesBase: core.imagesBase(req),
      });
      references.attach(task);
      core.tasks.add(task);
      scheduleCallbacks(task, faults.callbacks, { outbound, later, onError }, undefined, faults.callbackDropRate);
      const ref = externalTaskId ?? request.callback_url;
      if (ref) core.drills.record(ref, { id: task.id, succeedsAt: task.outcome === "succeed" ? task.endsAt : undefined });
      return task;
    },
    cancelTimers() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
  return core;
}

/** One API family's routes (seed or official) as the dispatcher drives them. */
export type ApiRoutes = {
  /** The route name for this method and path, or null when it is not this family's. */
  match(method: string, path: string): string | null;
  /** Writes the family's 401 and returns false when the caller is not authenticated. */
  authenticate(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** A forced fault status (429 or 5xx) in the family's envelope. */
  sendFault(res: ServerResponse, status: number, retryAfterS?: number): void;
  /** A 4xx/5xx with a message in the family's envelope. */
  sendError(res: ServerResponse, status: number, message?: string): void;
  handle(route: string, req: IncomingMessage, res: ServerResponse, faults: Faults): Promise<void>;
};
