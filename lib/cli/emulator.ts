// `npm run emulator -- --port 4010`: the Kling emulator on its own.
import { parseArgs } from "node:util";
import { createEmulator, emulatorOptionsFromConfig } from "../kling/emulator/server";
import { getConfig } from "../config";
import { runCli } from "./run-cli";

await runCli(
  async () => {
  const { values } = parseArgs({
    options: { port: { type: "string", default: "4010" }, host: { type: "string", default: "127.0.0.1" } },
  });
  const config = getConfig();
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error("--port must be a number from 0 to 65535");
  const emulator = createEmulator({
    ...emulatorOptionsFromConfig(config),
    onError: (message) => console.error(message),
  });
  const { url } = await emulator.listen(port, values.host);
  console.log(`Kling emulator listening at ${url}`);
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  },
  { exit: false },
);
