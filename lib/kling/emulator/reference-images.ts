// Reference images of emulated tasks: Base64 decoded or fetched once, and kept
// within a byte budget; past it the oldest tasks let theirs go and render
// their previews without the blend. URLs are fetched through the safe fetch:
// a request cannot make the emulator reach a private address.
import { safeFetch } from "../../http/safe-fetch";
import { isHttpLink, LIMITS } from "../schema";
import type { EmulatorOutbound } from "./options";
import type { EmulatedTask } from "./task-clock";

const DEFAULT_BUDGET_BYTES = 256 * 1024 * 1024;

export function createReferenceImages(outbound: EmulatorOutbound, budgetBytes = DEFAULT_BUDGET_BYTES, onError: (message: string) => void = () => {}) {
  const kept: { task: EmulatedTask; bytes: number }[] = [];
  let total = 0;

  async function load(image: string): Promise<Buffer | undefined> {
    if (!isHttpLink(image)) return Buffer.from(image, "base64");
    try {
      const r = await safeFetch(image, { purpose: "reference image", timeoutMs: 15_000, maxBytes: LIMITS.imageMaxBytes, ...outbound });
      return r.ok ? r.body : undefined;
    } catch (err) {
      onError(`reference image not loaded: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  return {
    /** Starts loading the task's reference image (if its request has one) and accounts for it once loaded. */
    attach(task: EmulatedTask): void {
      if (!task.request.image) return;
      const reference = load(task.request.image);
      task.reference = reference;
      reference.then(
        (buf) => {
          if (!buf) return;
          kept.push({ task, bytes: buf.length });
          total += buf.length;
          while (total > budgetBytes && kept.length > 1) {
            const old = kept.shift()!;
            old.task.reference = undefined;
            total -= old.bytes;
          }
        },
        () => {},
      );
    },
  };
}
