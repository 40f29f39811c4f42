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

export const logger: pino.Logger = new Proxy({} as pino.Logger, {
  get(_t, prop) {
    const g = globalThis as Holder;
    const l = (g[key] ??= create());
    const v = Reflect.get(l, prop);
    return typeof v === "function" ? v.bind(l) : v;
  },
});
