// What the portal knows about the request being served, for its one log line:
// the request id, and who asked once a route wrapper has authenticated them.
// The custom server opens the context; the Next.js bundle's copy of lib/ fills
// it in, so the storage lives on globalThis under a Symbol.for key.
import { AsyncLocalStorage } from "node:async_hooks";

export type RequestContext = { requestId: string; userId?: string; apiKeyId?: string };

const key = Symbol.for("kling-portal.request-context");
type Holder = { [key]?: AsyncLocalStorage<RequestContext> };

function storage(): AsyncLocalStorage<RequestContext> {
  return ((globalThis as Holder)[key] ??= new AsyncLocalStorage<RequestContext>());
}

export function runWithRequestContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage().run(ctx, fn);
}

export function getRequestContext(): RequestContext | undefined {
  return storage().getStore();
}

/** Records who is asking; a no-op outside a request (CLI, reconciler, tests). */
export function noteRequestUser(userId: string, apiKeyId?: string): void {
  const ctx = getRequestContext();
  if (!ctx) return;
  ctx.userId = userId;
  if (apiKeyId) ctx.apiKeyId = apiKeyId;
}
