// Chooses the provider named by KLING_PROVIDER.
import type { Config } from "../config";
import { createAppyPieClient } from "./appypie-client";
import { countUpstreamCalls } from "./count-calls";
import { createLocalProvider } from "./local-provider";
import { createOfficialClient } from "./official-client";
import type { KlingProvider } from "./provider";

export type { KlingProvider, UpstreamTask } from "./provider";
export { KlingError } from "./errors";

/**
 * The provider for this config. `local` talks to the emulator the portal
 * process started on 127.0.0.1 (see lib/server/local-emulator.ts), found when
 * each call is made.
 */
export function createProvider(config: Config, opts: { fetch?: typeof fetch } = {}): KlingProvider {
  return countUpstreamCalls(createUncounted(config, opts));
}

function createUncounted(config: Config, opts: { fetch?: typeof fetch }): KlingProvider {
  // No retries inside a call: each upstream call is made under a freshly proven
  // lease, so the reconciler retries (with backoff) instead of the client.
  const common = { timeoutMs: config.KLING_TIMEOUT_MS, maxRetries: 0, fetch: opts.fetch };
  switch (config.KLING_PROVIDER) {
    case "kling":
      return createOfficialClient({
        ...common,
        baseUrl: config.KLING_BASE_URL,
        accessKey: config.KLING_ACCESS_KEY!,
        secretKey: config.KLING_SECRET_KEY!,
        model: config.KLING_MODEL,
      });
    case "appypie":
      return createAppyPieClient({ ...common, baseUrl: config.APPYPIE_BASE_URL, subscriptionKey: config.APPYPIE_SUBSCRIPTION_KEY! });
    case "local":
      return createLocalProvider(common);
  }
}
