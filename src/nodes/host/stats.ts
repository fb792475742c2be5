/** The `node.host.stats` payload: what operators see of a node's load, memory and disk. */
import { statfsSync } from "node:fs";
import { availableParallelism, freemem, loadavg, totalmem } from "node:os";

export interface HostStats {
  cpuCount: number;
  loadAverage: [number, number, number];
  memoryTotalBytes: number;
  memoryFreeBytes: number;
  diskTotalBytes?: number;
  diskAvailableBytes?: number;
}

/** `diskPath` is the filesystem that matters to the host (its state dir). */
export function hostStats(diskPath: string): HostStats {
  const [a = 0, b = 0, c = 0] = loadavg();
  const stats: HostStats = {
    cpuCount: availableParallelism(),
    loadAverage: [a, b, c],
    memoryTotalBytes: totalmem(),
    memoryFreeBytes: freemem(),
  };
  try {
    const fs = statfsSync(diskPath);
    stats.diskTotalBytes = fs.blocks * fs.bsize;
    stats.diskAvailableBytes = fs.bavail * fs.bsize;
  } catch {
    // No disk figures is better than no stats at all.
  }
  return stats;
}
