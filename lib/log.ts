// The process logger. Secrets are redacted by path wherever they might appear.
import pino from "pino";
import { getConfig } from "./config";

const key = Symbol.for("kling-portal.logger");
type Holder = { [key]?: pino.Logger };

function create(): pino.Logger {
  let level = "info";
  try {
    level = getConfig().LOG_LEVEL;
  } catch {
    // Config errors are reported by whoever loads the config; keep logging.
  }
  return pino({
    level,
    redact: {
      paths: [
        "*.password",
        "*.passwordHash",
        "*.authorization",
        "*.Authorization",
        "*.apiKey",
        "*.secret",
        "*.token",
        "*.callbackSecret",
        "*.headers.authorization",
        '*.headers["ocp-apim-subscription-key"]',
      ],
      censor: "[redacted]",
    },
  });
}

/** The process's one pino instance, for a caller on a hot path (the proxy below binds a method on each access). */
export function processLogger(): pino.Logger {
  return ((globalThis as Holder)[key] ??= create());
}

export const logger: pino.Logger = new Proxy({} as pino.Logger, {
  get(_t, prop) {
    const l = processLogger();
    const v = Reflect.get(l, prop);
    return typeof v === "function" ? v.bind(l) : v;
  },
});
