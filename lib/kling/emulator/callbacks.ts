// Status callbacks of an emulated task: one POST per change (processing, end),
// or dropped, duplicated or reordered when a fault asks for it. Sent through
// the safe fetch: http(s) only, public addresses unless the outbound rules widen it.
import { safeFetch } from "../../http/safe-fetch";
import { isHttpLink } from "../schema";
import type { Faults } from "./faults";
import type { EmulatorOutbound } from "./options";
import { callbackBody, type EmulatedTask } from "./task-clock";

const CALLBACK_TIMEOUT_MS = 10_000;

export type CallbackDeps = {
  outbound: EmulatorOutbound;
  /** Runs fn after ms on a timer the emulator cancels when it closes. */
  later: (ms: number, fn: () => void) => void;
  onError: (message: string, err?: unknown) => void;
};

export function scheduleCallbacks(task: EmulatedTask, mode: Faults["callbacks"], deps: CallbackDeps, now = Date.now(), dropRate = 0) {
  const url = task.request.callback_url;
  if (!url || mode === "drop") return;
  if (!isHttpLink(url)) return deps.onError("callback_url is not an http(s) URL: no callbacks sent");
  const send = (at: number) => {
    // A lossy network: this one POST never leaves.
    if (dropRate && Math.random() < dropRate) return;
    safeFetch(url, {
      purpose: "callback_url",
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(callbackBody(task, at)),
      timeoutMs: CALLBACK_TIMEOUT_MS,
      maxBytes: 0,
      readBody: false,
      ...deps.outbound,
    }).catch((err) => deps.onError(`callback to ${new URL(url).host} failed: ${err instanceof Error ? err.message : String(err)}`, err));
  };
  if (mode === "reorder") {
    // Everything arrives at the end, newest first.
    deps.later(task.endsAt - now, () => {
      send(task.endsAt);
      deps.later(50, () => send(task.processingAt));
    });
    return;
  }
  for (const at of [task.processingAt, task.endsAt]) {
    deps.later(Math.max(0, at - now), () => {
      send(at);
      if (mode === "duplicate") deps.later(30, () => send(at));
    });
  }
}
