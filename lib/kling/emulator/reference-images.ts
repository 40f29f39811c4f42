// Reference images of emulated tasks: Base64 decoded or fetched once, and kept
// within a byte budget; past it the oldest tasks let theirs go and render
// their previews without the blend.
import type { EmulatedTask } from "./task-clock";

const DEFAULT_BUDGET_BYTES = 256 * 1024 * 1024;

export function createReferenceImages(doFetch: typeof fetch, budgetBytes = DEFAULT_BUDGET_BYTES) {
  const kept: { task: EmulatedTask; bytes: number }[] = [];
  let total = 0;

  async function load(image: string): Promise<Buffer | undefined> {
    if (!/^https?:\/\//i.test(image)) return Buffer.from(image, "base64");
    try {
      const r = await doFetch(image, { signal: AbortSignal.timeout(15_000) });
      if (!r.ok) return undefined;
      return Buffer.from(await r.arrayBuffer());
    } catch {
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
