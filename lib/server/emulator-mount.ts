// The emulator served inside the portal for KLING_PROVIDER=local (filled in with lib/kling).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Config } from "../config";

export function createEmulatorForPortal(_config: Config): { handler(req: IncomingMessage, res: ServerResponse): Promise<void>; close(): void } {
  return {
    async handler(_req, res) {
      res.writeHead(503, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ error: "emulator not ready" }));
    },
    close() {},
  };
}
