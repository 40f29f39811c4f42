// KLING_PROVIDER=local: the built-in emulator on its own listener on 127.0.0.1
// (an ephemeral port), never on the public port, accepting only a key made at
// start that only this process knows (unless EMULATOR_KEYS is set), so neither
// visitors nor other local processes can use it. Its images are linked at that
// loopback address and its callbacks go to the portal's own origin only.
import { randomBytes } from "node:crypto";
import type { Config } from "../config";
import { createEmulator, emulatorOptionsFromConfig, type EmulatorOptions } from "../kling/emulator/server";
import { setLocalEmulatorAddress } from "../kling/local-emulator-address";
import { logger } from "../log";

export type LocalEmulator = { url: string; close(): Promise<void> };

const secret = () => randomBytes(24).toString("base64url");

export async function startLocalEmulator(config: Config): Promise<LocalEmulator> {
  const fromConfig = emulatorOptionsFromConfig(config);
  const keys = fromConfig.keys?.length ? fromConfig.keys : [secret()];
  let url = "";
  const options: EmulatorOptions = {
    ...fromConfig,
    keys,
    // The official routes are not used by the portal: closed with a pair nobody has, unless configured.
    officialKeys: fromConfig.officialKeys?.length ? fromConfig.officialKeys : [{ accessKey: secret(), secretKey: secret() }],
    // Upstream callbacks go to PUBLIC_URL (often loopback); references to public addresses or the portal itself.
    outbound: { allowOrigins: [config.PUBLIC_URL] },
    get publicBaseUrl() {
      return url;
    },
    onError: (message, err) => logger.warn({ err: err instanceof Error ? err.message : undefined }, message),
  };
  const emulator = createEmulator(options);
  ({ url } = await emulator.listen(0, "127.0.0.1"));
  setLocalEmulatorAddress({ baseUrl: url, subscriptionKey: keys[0] });
  return {
    url,
    async close() {
      setLocalEmulatorAddress(undefined);
      await emulator.close();
    },
  };
}
