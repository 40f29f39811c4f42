// Shared exit handling for the CLI entry points: config errors and failures are
// printed as one readable message, never a stack trace with secrets in it.
import { ConfigError } from "../config";

export async function runCli(main: () => Promise<void>, { exit = true } = {}): Promise<void> {
  try {
    await main();
    if (exit) process.exit(0);
  } catch (err) {
    if (err instanceof ConfigError) console.error(err.message);
    else console.error(`Error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
