// bench/pin.ts: CPU pinning. Unpinned, a 1×1 ping-pong swings 2× with where the scheduler happens
// to put client and server, so by default the client gets one CPU and the servers the others.

import { statusField } from "./measure/proc.ts";

export interface Pinning {
  client: string;
  servers: string;
}

/** CPUs this process may run on (empty where unknown). */
function allowedCpus(): number[] {
  const list = statusField("self", "Cpus_allowed_list");
  if (list === undefined) return [];
  const cpus: number[] = [];
  for (const part of list.split(",")) {
    const [a, b] = part.split("-").map(Number);
    for (let c = a!; c <= (b ?? a!) && cpus.length < 4096; c++) cpus.push(c);
  }
  return cpus;
}

/** Moves every thread of this process to the first allowed CPU; servers get the rest. */
export function pinCpus(): Pinning | undefined {
  if (process.platform !== "linux" || Bun.which("taskset") === null) return undefined;
  const cpus = allowedCpus();
  if (cpus.length < 2) return undefined;
  const client = String(cpus[0]);
  const res = Bun.spawnSync(["taskset", "-a", "-p", "-c", client, String(process.pid)], { stdout: "ignore", stderr: "ignore" });
  if (res.exitCode !== 0) return undefined;
  return { client, servers: cpus.slice(1).join(",") };
}

/** Command prefix that runs a command on the servers' CPUs (taskset execs, so the pid stays the server's). */
export function serverPrefix(pinning: Pinning | undefined): string {
  return pinning ? `taskset -c ${pinning.servers} ` : "";
}
