// The origins of the Kling upstreams this process talks to (each client adds
// its base URL when created): image links on them are downloaded even when the
// upstream is private, e.g. the emulator on 127.0.0.1. Nothing else is opened.
const key = Symbol.for("kling-portal.upstream-origins");
type Holder = { [key]?: Set<string> };

const origins = () => ((globalThis as Holder)[key] ??= new Set());

export function trustUpstreamOrigin(baseUrl: string): void {
  origins().add(new URL(baseUrl).origin);
}

export function upstreamOrigins(): string[] {
  return [...origins()];
}
