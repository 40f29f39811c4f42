// The emulator's knobs, and how configuration (EMULATOR_*, KLING_*_KEY) fills
// them: shared by `npm run emulator` and the portal's built-in (loopback) emulator.
import type { Config } from "../../config";
import type { LookupFn } from "../../http/safe-fetch";
import { parseFaults, type Faults } from "./faults";

/**
 * Where the emulator's callbacks and reference-image fetches may go (always
 * through the safe fetch): public addresses, plus these origins, plus any
 * address when allowPrivate is set.
 */
export type EmulatorOutbound = { allowOrigins?: string[]; allowPrivate?: boolean; lookup?: LookupFn };

/** An access/secret key pair the official routes accept JWTs from. */
export type OfficialKeyPair = { accessKey: string; secretKey: string };

export type EmulatorOptions = {
  /** Prefix the routes are served under (none by default). */
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
  /** Callbacks and reference URLs: public addresses only unless widened here. */
  outbound?: EmulatorOutbound;
  onError?: (message: string, err?: unknown) => void;
  /** Tasks (and drill references) kept in memory; the oldest go first. */
  maxTasks?: number;
};

type EmulatorConfig = Pick<
  Config,
  | "EMULATOR_KEYS"
  | "EMULATOR_DURATION_MS"
  | "EMULATOR_FAILURE_RATE"
  | "EMULATOR_FAULTS"
  | "KLING_ACCESS_KEY"
  | "KLING_SECRET_KEY"
  | "PUBLIC_URL"
  | "CALLBACK_ALLOW_PRIVATE"
>;

export function emulatorOptionsFromConfig(config: EmulatorConfig): EmulatorOptions {
  return {
    keys: (config.EMULATOR_KEYS ?? "")
      .split(",")
      .map((k) => k.trim())
      .filter(Boolean),
    officialKeys: config.KLING_ACCESS_KEY && config.KLING_SECRET_KEY ? [{ accessKey: config.KLING_ACCESS_KEY, secretKey: config.KLING_SECRET_KEY }] : [],
    durationMs: config.EMULATOR_DURATION_MS,
    failureRate: config.EMULATOR_FAILURE_RATE,
    faults: parseFaults(config.EMULATOR_FAULTS),
    // The portal it serves calls back at PUBLIC_URL, often on this machine.
    outbound: { allowOrigins: [config.PUBLIC_URL], allowPrivate: config.CALLBACK_ALLOW_PRIVATE },
  };
}
