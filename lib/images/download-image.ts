// Downloads one upstream image with a timeout and a size cap. Error messages
// name the host only: upstream URLs often carry signatures in their query.
import { readCapped } from "../http/read-capped";
import { ImageError } from "./errors";

export type DownloadOptions = { fetch?: typeof fetch; timeoutMs?: number; maxBytes?: number };

export async function downloadImage(url: string, opts: DownloadOptions = {}): Promise<Buffer> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ImageError("The image address is not a valid URL", false);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new ImageError("The image address is not an http(s) URL", false);
  const host = parsed.host;
  const maxBytes = opts.maxBytes ?? 30 * 1024 * 1024;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await (opts.fetch ?? fetch)(url, { signal, redirect: "follow" });
    if (!res.ok) {
      await res.body?.cancel();
      const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
      throw new ImageError(`The image at ${host} answered HTTP ${res.status}`, retryable);
    }
    const tooLarge = () => new ImageError(`The image at ${host} is larger than ${Math.round(maxBytes / 1048576)} MB`, false);
    if (Number(res.headers.get("content-length") ?? 0) > maxBytes) {
      await res.body?.cancel();
      throw tooLarge();
    }
    return await readCapped(res.body, maxBytes, tooLarge);
  } catch (err) {
    if (err instanceof ImageError) throw err;
    if (signal.aborted) throw new ImageError(`The image at ${host} did not arrive within ${Math.round(timeoutMs / 1000)} s`, true);
    throw new ImageError(`The image at ${host} could not be downloaded (network error)`, true);
  }
}
