// Where this process's built-in emulator listens and the key it made at start:
// set by the portal server, read by the local provider (in both module graphs,
// hence one global). Nothing outside this process learns either.
const key = Symbol.for("kling-portal.local-emulator");
type Holder = { [key]?: LocalEmulatorAddress };

export type LocalEmulatorAddress = { baseUrl: string; subscriptionKey: string };

export function setLocalEmulatorAddress(address: LocalEmulatorAddress | undefined): void {
  (globalThis as Holder)[key] = address;
}

export function getLocalEmulatorAddress(): LocalEmulatorAddress | undefined {
  return (globalThis as Holder)[key];
}
