// The portal as an operator runs it: `npm start` (npm, then the server it
// starts), so the bench measures the memory of that whole process tree.
import { spawn } from "node:child_process";
import path from "node:path";
import { descendants, rssSampler } from "./process-tree";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** startupPeakMb: the tree's peak from the spawn until ready (a first start creates the embedded database then). */
export type NpmPortal = { url: string; pid: number; startupPeakMb: number; stop(): Promise<void>; output(): string };

export async function startWithNpm(env: Record<string, string>, port: number, timeoutMs = 300_000): Promise<NpmPortal> {
  const child = spawn("npm", ["start"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production", HOST: "127.0.0.1", PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Sampled often: the child process that creates a new embedded folder lives for a few seconds only.
  const startup = rssSampler(child.pid!, 50);
  let output = "";
  const exited = new Promise<void>((ok) => child.once("exit", () => ok()));
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const signal = (pids: number[], sig: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {
        // Gone already.
      }
    }
  };
  const stop = async () => {
    // npm does not always pass a signal on: stop the server itself (deepest first), and wait for every
    // process of the tree, killing what is still there after 10 s (a shutdown that hangs must not outlive the bench).
    const pids = [...descendants(child.pid!).reverse(), child.pid!];
    signal(pids, "SIGTERM");
    const deadline = Date.now() + 10_000;
    while (pids.some(alive) && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 100));
    signal(pids.filter(alive), "SIGKILL");
    await exited;
  };
  const ready = new Promise<void>((resolve, reject) => {
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
  let startupPeakMb: number;
  try {
    await ready;
    startupPeakMb = startup.peak;
  } finally {
    startup.stop();
  }
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, startupPeakMb, stop, output: () => output };
}
