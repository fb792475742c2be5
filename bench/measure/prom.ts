// bench/measure/prom.ts: reads the gateway's GET /metrics (Prometheus text format), so the bench
// can check its own counts against what the gateway says about itself.

/** One sample line: the metric name, its labels and value. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseProm(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(LABEL)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of the first sample named `name` whose labels include `labels` (NaN when absent). */
export function promValue(samples: readonly PromSample[], name: string, labels: Record<string, string> = {}): number {
  const hit = samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return hit ? hit.value : Number.NaN;
}

/** Sum of every sample named `name` (0 when there is none: counters appear once incremented). */
export function promSum(samples: readonly PromSample[], name: string): number {
  return samples.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);
}

/** GET <http origin>/metrics with the bearer token; throws with the status when it is not 200. */
export async function scrapeMetrics(wsUrl: string, token: string, timeoutMs = 5_000): Promise<PromSample[]> {
  const url = `${wsUrl.replace(/^ws:/, "http:")}/metrics`;
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /metrics: HTTP ${res.status} ${text.slice(0, 80)}`.trim());
  return parseProm(text);
}

/**
 * Cumulative bucket counts of histogram `name` (the `_bucket` series) whose labels include `labels`,
 * by upper bound, ascending (+Inf last).
 */
export function promBuckets(samples: readonly PromSample[], name: string, labels: Record<string, string> = {}): { le: number; count: number }[] {
  return samples
    .filter((s) => s.name === `${name}_bucket` && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .map((s) => ({ le: s.labels.le === "+Inf" ? Infinity : Number(s.labels.le), count: s.value }))
    .sort((a, b) => a.le - b.le);
}

/**
 * The upper bound of the bucket holding quantile q of the observations between two scrapes of the
 * same histogram (NaN when none were made): "p99 ≤ this".
 */
export function bucketQuantile(before: readonly { le: number; count: number }[], after: readonly { le: number; count: number }[], q: number): number {
  const base = new Map(before.map((b) => [b.le, b.count]));
  const diff = after.map((b) => ({ le: b.le, count: b.count - (base.get(b.le) ?? 0) }));
  const total = diff.at(-1)?.count ?? 0;
  if (total <= 0) return Number.NaN;
  return diff.find((b) => b.count >= q * total)?.le ?? Number.NaN;
}
