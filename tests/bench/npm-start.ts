// The portal as an operator runs it: `npm start` (npm, then the server it
// starts), so the bench measures the memory of that whole process tree.
import { spawn } from "node:child_process";
import path from "node:path";
import { descendants } from "./process-tree";

const ROOT = path.resolve(import.meta.dirname, "../..");

export type NpmPortal = { url: string; pid: number; stop(): Promise<void>; output(): string };

export async function startWithNpm(env: Record<string, string>, port: number, timeoutMs = 300_000): Promise<NpmPortal> {
  const child = spawn("npm", ["start"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production", HOST: "127.0.0.1", PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((ok) => child.once("exit", () => ok()));
  const stop = async () => {
    // npm does not always pass a signal on: stop the server itself, then whatever is left of the tree.
    for (const pid of descendants(child.pid!).reverse()) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // Gone already.
      }
    }
    const timer = setTimeout(() => {
      for (const pid of [...descendants(child.pid!), child.pid!]) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Gone already.
        }
      }
    }, 15_000);
    await exited;
    clearTimeout(timer);
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => void stop().then(() => reject(new Error(`npm start did not become ready:\n${output}`))), timeoutMs);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (/Kling Portal ready on/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`npm start exited:\n${output}`));
    });
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, stop, output: () => output };
}
