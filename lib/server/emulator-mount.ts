// The emulator served inside the portal at /emulator for KLING_PROVIDER=local:
// the portal's own client reaches it over loopback like any upstream.
import type { Config } from "../config";
import { localEmulatorBaseUrl } from "../kling";
import { createEmulator, emulatorOptionsFromConfig, type Emulator } from "../kling/emulator/server";
import { logger } from "../log";

export function createEmulatorForPortal(config: Config): Pick<Emulator, "handler" | "close"> {
  return createEmulator({
    ...emulatorOptionsFromConfig(config),
    basePath: "/emulator",
    publicBaseUrl: localEmulatorBaseUrl(config),
    onError: (message, err) => logger.warn({ err: err instanceof Error ? err.message : undefined }, message),
  });
}
