/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format (0.0.4). Metrics are created from declarations (./catalog.ts), so names, help
 * texts and label sets live in one table; nothing here knows what is being measured.
 */

export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricDeclaration {
  name: string;
  type: MetricType;
  help: string;
  labels: readonly string[];
  /** Histogram upper bounds in the metric's unit, ascending. */
  buckets?: readonly number[];
}

type LabelValues = readonly string[];

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

function labelText(names: readonly string[], values: LabelValues, extra?: [string, string]): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? "")}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

abstract class Metric {
  /** Series by their joined label values; \u0000 cannot appear in a label value we emit. */
  protected series = new Map<string, { labels: LabelValues; value: number }>();
  constructor(readonly decl: MetricDeclaration) {}

  protected slot(labels: LabelValues): { labels: LabelValues; value: number } {
    const key = labels.join("\u0000");
    let s = this.series.get(key);
    if (!s) {
      s = { labels: [...labels], value: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  render(out: string[]): void {
    const { name, help, type, labels } = this.decl;
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const s of this.series.values()) out.push(`${name}${labelText(labels, s.labels)} ${formatNumber(s.value)}`);
  }
}

export class Counter extends Metric {
  inc(labels: LabelValues = [], by = 1): void {
    this.slot(labels).value += by;
  }
}

export class Gauge extends Metric {
  set(labels: LabelValues, value: number): void {
    this.slot(labels).value = value;
  }

  /** Drops every series (a gauge sampled at scrape time starts from nothing each time). */
  reset(): void {
    this.series.clear();
  }
}

export class Histogram {
  private series = new Map<string, { labels: LabelValues; counts: Float64Array; sum: number; count: number }>();
  private readonly bounds: readonly number[];
  constructor(readonly decl: MetricDeclaration) {
    this.bounds = decl.buckets ?? [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  }

  observe(labels: LabelValues, value: number): void {
    const key = labels.join("\u0000");
    let s = this.series.get(key);
    if (!s) {
      s = { labels: [...labels], counts: new Float64Array(this.bounds.length), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    for (let i = 0; i < this.bounds.length; i++) if (value <= this.bounds[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  render(out: string[]): void {
    const { name, help, labels } = this.decl;
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    for (const s of this.series.values()) {
      this.bounds.forEach((b, i) => out.push(`${name}_bucket${labelText(labels, s.labels, ["le", formatNumber(b)])} ${s.counts[i]}`));
      out.push(`${name}_bucket${labelText(labels, s.labels, ["le", "+Inf"])} ${s.count}`);
      out.push(`${name}_sum${labelText(labels, s.labels)} ${formatNumber(s.sum)}`);
      out.push(`${name}_count${labelText(labels, s.labels)} ${s.count}`);
    }
  }
}

export type AnyMetric = Counter | Gauge | Histogram;

export function createMetric(decl: MetricDeclaration): AnyMetric {
  if (decl.type === "counter") return new Counter(decl);
  if (decl.type === "gauge") return new Gauge(decl);
  return new Histogram(decl);
}

export function renderMetrics(metrics: Iterable<AnyMetric>): string {
  const out: string[] = [];
  for (const m of metrics) m.render(out);
  return out.join("\n") + "\n";
}
