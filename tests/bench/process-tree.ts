// Resident memory of a whole process tree (a process and every descendant),
// read from /proc, and a sampler that keeps the peak while the bench runs.
import { readdirSync, readFileSync } from "node:fs";

function children(): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name may hold spaces and parentheses: the ppid is the 2nd field after the last ")".
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      byParent.set(ppid, [...(byParent.get(ppid) ?? []), Number(name)]);
    } catch {
      // The process ended while we looked.
    }
  }
  return byParent;
}

function rssKb(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("VmRSS"));
    return line ? Number(line.replace(/\D+/g, "")) : 0;
  } catch {
    return 0;
  }
}

/** Every process below pid, parents before their children. */
export function descendants(pid: number): number[] {
  const byParent = children();
  const out: number[] = [];
  const queue = [...(byParent.get(pid) ?? [])];
  while (queue.length) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(byParent.get(p) ?? []));
  }
  return out;
}

/** MB resident in pid and all its descendants. */
export function treeRssMb(pid: number): number {
  return Math.round([pid, ...descendants(pid)].reduce((kb, p) => kb + rssKb(p), 0) / 1024);
}

/** The peak over the sampler's life, and per phase: mark(label) ends a phase and gives its own peak. */
export function rssSampler(pid: number, everyMs = 250) {
  let peak = 0;
  let phasePeak = 0;
  const sample = () => {
    const mb = treeRssMb(pid);
    peak = Math.max(peak, mb);
    phasePeak = Math.max(phasePeak, mb);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    get peak() {
      sample();
      return peak;
    },
    mark(): number {
      sample();
      const phase = phasePeak;
      phasePeak = 0;
      return phase;
    },
    stop: () => clearInterval(timer),
  };
}

/** CPU time (user + system, ms) a process has used: /proc ticks, 100 per second on Linux. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are the 14th and 15th fields of the line, the 12th and 13th after the name.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** CPU ms used so far by pid and its descendants. */
export function treeCpuMs(pid: number): number {
  return [pid, ...descendants(pid)].reduce((ms, p) => ms + cpuMs(p), 0);
}

/** CPU ms used so far by each process of this name (`postgres`: the server and its backends), by pid. */
export function namedCpuMs(name: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === name) out.set(Number(entry), cpuMs(Number(entry)));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** CPU ms used between two readings of namedCpuMs: processes that ended in between are missed, new ones counted whole. */
export function cpuMsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, used] of after) ms += used - (before.get(pid) ?? 0);
  return ms;
}
