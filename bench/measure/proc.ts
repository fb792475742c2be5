// bench/measure/proc.ts: /proc readers for RSS, CPU time and process trees. Linux-only: elsewhere
// every figure comes back as NaN (or empty), so a report shows "n/a" rather than failing.
//
// Trees matter because a server command may be a wrapper (sh, taskset, a launcher) whose real work
// happens in children.

import { readFileSync, readdirSync } from "node:fs";

/** The first word of a field of /proc/<pid>/status (undefined when unreadable). */
export function statusField(pid: number | "self", name: string): string | undefined {
  try {
    return new RegExp(`^${name}:\\s*(\\S+)`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  } catch {
    return undefined;
  }
}

/** VmRSS is reported in kB, which /proc means as KiB. */
function statusRssKiB(pid: number): number {
  const v = statusField(pid, "VmRSS");
  return v === undefined ? Number.NaN : Number(v);
}

/** Fields of /proc/<pid>/stat after "pid (comm) ", where comm may hold spaces and parentheses. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number {
  const fields = statFields(pid);
  return fields ? Number(fields[1]) : -1;
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** User + system CPU seconds used so far by pid and its descendants (NaN where /proc is missing). */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  let seen = false;
  for (const p of [pid, ...descendantsOf(pid)]) {
    const fields = statFields(p);
    if (!fields) continue;
    seen = true;
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
  }
  return seen ? ticks / USER_HZ : Number.NaN;
}

/**
 * CPU seconds used so far by every thread of pid, from /proc/<pid>/task/<tid>/schedstat (nanoseconds,
 * where /proc/<pid>/stat counts 10 ms ticks); cpuSeconds(pid) where schedstat is missing. For short
 * spans of work on one process, such as a few hundred handshakes. Threads that already exited are
 * not counted, so take both readings while the process runs.
 */
export function cpuSecondsFine(pid: number): number {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return cpuSeconds(pid);
  }
  let ns = 0;
  for (const tid of tids) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the thread just exited
    }
  }
  return Number.isFinite(ns) && ns > 0 ? ns / 1e9 : cpuSeconds(pid);
}

/** All live descendants of pid (children, grandchildren, ...). Empty where /proc is missing. */
export function descendantsOf(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const child = Number(name);
    const parent = parentOf(child);
    const list = children.get(parent);
    if (list) list.push(child);
    else children.set(parent, [child]);
  }
  const found: number[] = [];
  const stack = [...(children.get(pid) ?? [])];
  // Bounded like every loop in the bench: /proc is read entry by entry, not as one snapshot.
  while (stack.length > 0 && found.length < 10_000) {
    const p = stack.pop()!;
    found.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return found;
}

export interface RssReading {
  /** VmRSS of pid itself, KiB. */
  mainKiB: number;
  /** VmRSS of pid plus all its descendants, KiB. */
  treeKiB: number;
  procs: number;
}

/** Current RSS of a process and its descendants (NaN when unreadable). */
export function idleRss(pid: number): RssReading {
  const kids = descendantsOf(pid);
  const mainKiB = statusRssKiB(pid);
  let treeKiB = mainKiB;
  for (const k of kids) {
    const r = statusRssKiB(k);
    if (Number.isFinite(r)) treeKiB += r;
  }
  return { mainKiB, treeKiB, procs: 1 + kids.length };
}
