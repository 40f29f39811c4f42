// KLING_PROVIDER=local: the Appy Pie client pointed, at each call, at the
// emulator this process started on 127.0.0.1. A process without one (npm run
// worker) fails its calls as never sent, so the portal process does that work.
import { createAppyPieClient, type AppyPieOptions } from "./appypie-client";
import { describe, KlingError } from "./errors";
import { getLocalEmulatorAddress } from "./local-emulator-address";
import { parseTask } from "./parse-task";
import type { KlingProvider } from "./provider";

type Common = Omit<AppyPieOptions, "baseUrl" | "subscriptionKey" | "name">;

export function createLocalProvider(common: Common): KlingProvider {
  let cached: { baseUrl: string; client: KlingProvider } | undefined;
  const client = (): KlingProvider => {
    const address = getLocalEmulatorAddress();
    if (!address) {
      const why = "the built-in emulator (KLING_PROVIDER=local) runs only inside the portal process (npm start), not in this one";
      // ECONNREFUSED: nothing was sent, so a submit is safely left to the portal's reconciler.
      throw new KlingError("network", describe("network", undefined, why), { cause: "ECONNREFUSED" });
    }
    if (cached?.baseUrl !== address.baseUrl) {
      cached = { baseUrl: address.baseUrl, client: createAppyPieClient({ ...common, name: "local", ...address }) };
    }
    return cached.client;
  };
  return {
    name: "local",
    submit: async (request, opts) => client().submit(request, opts),
    getStatus: async (taskId, opts) => client().getStatus(taskId, opts),
    parseCallback: (body) => parseTask(body),
  };
}
