// The emulator's knobs, and how configuration (EMULATOR_*, KLING_*_KEY) fills
// them: shared by `npm run emulator` and the portal's /emulator mount.
import type { Config } from "../../config";
import { parseFaults, type Faults } from "./faults";

/** An access/secret key pair the official routes accept JWTs from. */
export type OfficialKeyPair = { accessKey: string; secretKey: string };

export type EmulatorOptions = {
  /** Prefix the routes are served under, e.g. "/emulator" inside the portal. */
  basePath?: string;
  /** Absolute URL of basePath as seen by whoever downloads the images; by default taken from the Host header. */
  publicBaseUrl?: string;
  /** Accepted subscription keys (seed routes); empty accepts any non-empty key. */
  keys?: string[];
  /** Key pairs whose JWTs the official routes accept; empty accepts any well-formed unexpired HS256 token with an `iss`. */
  officialKeys?: OfficialKeyPair[];
  durationMs?: number;
  failureRate?: number;
  /** Faults applied to every request (EMULATOR_FAULTS); the starting value of the runtime faults. */
  faults?: Faults;
  /** Used for callbacks and reference URLs. */
  fetch?: typeof fetch;
  onError?: (message: string, err?: unknown) => void;
  /** Tasks (and drill references) kept in memory; the oldest go first. */
  maxTasks?: number;
};

type EmulatorConfig = Pick<
  Config,
  "EMULATOR_KEYS" | "EMULATOR_DURATION_MS" | "EMULATOR_FAILURE_RATE" | "EMULATOR_FAULTS" | "KLING_ACCESS_KEY" | "KLING_SECRET_KEY"
>;

export function emulatorOptionsFromConfig(config: EmulatorConfig): EmulatorOptions {
  return {
    keys: (config.EMULATOR_KEYS ?? "").split(",").map((k) => k.trim()).filter(Boolean),
    officialKeys:
      config.KLING_ACCESS_KEY && config.KLING_SECRET_KEY ? [{ accessKey: config.KLING_ACCESS_KEY, secretKey: config.KLING_SECRET_KEY }] : [],
    durationMs: config.EMULATOR_DURATION_MS,
    failureRate: config.EMULATOR_FAILURE_RATE,
    faults: parseFaults(config.EMULATOR_FAULTS),
  };
}
