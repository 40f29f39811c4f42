// The process-wide Kling provider, chosen by KLING_PROVIDER. Tests install
// their own (pointed at an emulator or a scripted server).
import { getConfig } from "../config";
import { createProvider } from "../kling";
import type { KlingProvider } from "../kling/provider";

const key = Symbol.for("kling-portal.provider");
type Holder = { [key]?: KlingProvider };

export function getProvider(): KlingProvider {
  const g = globalThis as Holder;
  return (g[key] ??= createProvider(getConfig()));
}

export function setProvider(provider: KlingProvider | undefined): void {
  (globalThis as Holder)[key] = provider;
}
