// Downloads one upstream image through the safe fetch: public addresses only,
// except the configured upstream's own origin (its images may be on 127.0.0.1);
// a timeout and a size cap. Messages name the host only: upstream URLs often
// carry signatures in their query.
import { safeFetch, SafeFetchError } from "../http/safe-fetch";
import { upstreamOrigins } from "../http/upstream-origins";
import { ImageError } from "./errors";

export type DownloadOptions = {
  timeoutMs?: number;
  maxBytes?: number;
  /** Origins reached whatever their address; by default the upstreams this process's Kling clients use. */
  allowOrigins?: readonly string[];
};

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
  try {
    const res = await safeFetch(parsed, { purpose: "image URL", timeoutMs, maxBytes, allowOrigins: opts.allowOrigins ?? upstreamOrigins() });
    if (!res.ok) {
      const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
      throw new ImageError(`The image at ${host} answered HTTP ${res.status}`, retryable);
    }
    return res.body;
  } catch (err) {
    if (err instanceof ImageError) throw err;
    if (!(err instanceof SafeFetchError)) throw new ImageError(`The image at ${host} could not be downloaded (network error)`, true);
    switch (err.kind) {
      case "too-large":
        throw new ImageError(`The image at ${host} is larger than ${Math.round(maxBytes / 1048576)} MB`, false);
      case "timeout":
        throw new ImageError(`The image at ${host} did not arrive within ${Math.round(timeoutMs / 1000)} s`, true);
      case "refused":
        throw new ImageError(`The image was not downloaded: ${err.message}`, false);
      default:
        throw new ImageError(`The image at ${host} could not be downloaded (network error)`, true);
    }
  }
}
