// `npm run emulator -- --port 4010 [--control-port 4011]`: the Kling emulator
// on its own, with an optional loopback control listener for drills.
import { parseArgs } from "node:util";
import { startControlServer } from "../kling/emulator/control";
import { createEmulator, emulatorOptionsFromConfig } from "../kling/emulator/server";
import { getConfig } from "../config";
import { runCli } from "./run-cli";

const portFlag = (name: string, value: string) => {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--${name} must be a number from 0 to 65535`);
  return port;
};

await runCli(
  async () => {
    const { values } = parseArgs({
      options: {
        port: { type: "string", default: "4010" },
        host: { type: "string", default: "127.0.0.1" },
        "control-port": { type: "string" },
      },
    });
    const config = getConfig();
    const port = portFlag("port", values.port);
    const controlPort = values["control-port"] === undefined ? undefined : portFlag("control-port", values["control-port"]);
    const emulator = createEmulator({
      ...emulatorOptionsFromConfig(config),
      onError: (message) => console.error(message),
    });
    const { url } = await emulator.listen(port, values.host);
    const control = controlPort === undefined ? undefined : await startControlServer(emulator, controlPort);
    console.log(`Kling emulator listening at ${url}${control ? ` (control ${control.url})` : ""}`);
    const stop = () => void Promise.all([emulator.close(), control?.close()]).then(() => process.exit(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  },
  { exit: false },
);
