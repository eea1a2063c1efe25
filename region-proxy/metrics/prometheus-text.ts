/**
 * Counters, gauges and histograms rendered in Prometheus' text exposition format (version 0.0.4).
 * A series is named by its label set, serialized once by the caller (`labels(...)`): counting is one
 * Map lookup and an add, so it can run on every request.
 *
 * @example const requests = new CounterFamily("gateway_http_requests_total", "Answers by route and status.");
 *          requests.add(labels({ route: "/v1/chat/completions", status: "200" }));
 *          requests.render(); // # HELP ... # TYPE ... counter\ngateway_http_requests_total{route="...",status="200"} 1
 */

/** `{a="x",b="y"}` with Prometheus' escaping of backslash, double quote and newline. */
export function labels(values: Record<string, string>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(values)) parts.push(`${name}="${escapeLabelValue(value)}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}\n# TYPE ${name} ${type}\n`;
}

export class CounterFamily {
  private readonly series = new Map<string, number>();
  constructor(
    readonly name: string,
    private readonly help: string,
  ) {}

  add(labelSet: string, amount = 1): void {
    this.series.set(labelSet, (this.series.get(labelSet) ?? 0) + amount);
  }

  get(labelSet: string): number {
    return this.series.get(labelSet) ?? 0;
  }

  render(): string {
    let text = header(this.name, this.help, "counter");
    for (const [labelSet, value] of this.series) text += `${this.name}${labelSet} ${value}\n`;
    return text;
  }
}

/** One unlabelled value read from its source when rendered (a gauge, or a counter kept elsewhere). */
export function renderValue(name: string, help: string, type: "gauge" | "counter", value: number): string {
  return `${header(name, help, type)}${name} ${value}\n`;
}

/** A histogram per label set, with fixed upper bounds (seconds); rendered cumulatively, with +Inf, sum and count. */
export class HistogramFamily {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly bounds: readonly number[],
  ) {}

  observe(labelSet: string, value: number): void {
    let s = this.series.get(labelSet);
    if (!s) this.series.set(labelSet, (s = { counts: new Array<number>(this.bounds.length).fill(0), sum: 0, count: 0 }));
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i++;
    if (i < this.bounds.length) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  render(): string {
    let text = header(this.name, this.help, "histogram");
    for (const [labelSet, s] of this.series) {
      const inner = labelSet === "" ? "" : `${labelSet.slice(1, -1)},`;
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += s.counts[i]!;
        text += `${this.name}_bucket{${inner}le="${this.bounds[i]}"} ${cumulative}\n`;
      }
      text += `${this.name}_bucket{${inner}le="+Inf"} ${s.count}\n`;
      text += `${this.name}_sum${labelSet} ${s.sum}\n`;
      text += `${this.name}_count${labelSet} ${s.count}\n`;
    }
    return text;
  }
}
