// The emulator served inside the portal at /emulator for KLING_PROVIDER=local:
// the portal's own client reaches it over loopback like any upstream.
import type { Config } from "../config";
import { emulatorKeys, localEmulatorBaseUrl } from "../kling";
import { parseFaults } from "../kling/emulator/faults";
import { createEmulator, type Emulator } from "../kling/emulator/server";
import { logger } from "../log";

export function createEmulatorForPortal(config: Config): Pick<Emulator, "handler" | "close"> {
  return createEmulator({
    basePath: "/emulator",
    publicBaseUrl: localEmulatorBaseUrl(config),
    keys: emulatorKeys(config),
    durationMs: config.EMULATOR_DURATION_MS,
    failureRate: config.EMULATOR_FAILURE_RATE,
    faults: parseFaults(config.EMULATOR_FAULTS),
    onError: (message, err) => logger.warn({ err: err instanceof Error ? err.message : undefined }, message),
  });
}
