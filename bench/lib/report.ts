import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One figure of the run, with the raw baseline it is compared with (when it has one). */
export interface Figure {
  scenario: string;
  name: string;
  unit: string;
  value: number | null;
  /** The raw baseline's value of the same figure, measured in the same run. */
  baseline?: number | null;
  baselineName?: string;
  /** "lower" when a smaller value is better (latencies); the ratio is then value / baseline as well. */
  better?: 'lower' | 'higher';
  goal?: string;
  /** Whether the goal is met; null when the figure has no goal or could not be measured. */
  met?: boolean | null;
}

/** A correctness check: a failed one makes the benchmark exit non-zero (a missed goal does not). */
export interface Check {
  scenario: string;
  name: string;
  ok: boolean;
  detail: string;
}

export class Report {
  readonly figures: Figure[] = [];
  readonly checks: Check[] = [];
  readonly notes: string[] = [];

  add(figure: Figure): void {
    this.figures.push(figure);
  }

  check(scenario: string, name: string, ok: boolean, detail: string): boolean {
    this.checks.push({ scenario, name, ok, detail });
    return ok;
  }

  note(text: string): void {
    this.notes.push(text);
  }

  get failed(): Check[] {
    return this.checks.filter((c) => !c.ok);
  }

  /** The table of figures, then the checks, as plain text. */
  render(): string {
    const header = ['scenario', 'figure', 'value', 'raw baseline', 'ratio', 'goal', 'met'];
    const rows = this.figures.map((f) => [
      f.scenario,
      f.name,
      withUnit(f.value, f.unit),
      f.baseline === undefined ? '' : `${withUnit(f.baseline, f.unit)} (${f.baselineName ?? 'raw'})`,
      ratio(f.value, f.baseline),
      f.goal ?? '',
      f.met === undefined || f.met === null ? (f.goal ? 'n/a' : '') : f.met ? 'yes' : 'NO',
    ]);
    const lines = [table(header, rows), '', 'correctness checks:'];
    for (const c of this.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.scenario}: ${c.name} (${c.detail})`);
    for (const n of this.notes) lines.push(`note: ${n}`);
    return lines.join('\n');
  }

  writeJson(file: string, meta: Record<string, unknown>): void {
    mkdirSync(dirname(file), { recursive: true });
    const figures = this.figures.map((f) => ({ ...f, ratio: ratioValue(f.value, f.baseline) }));
    const body = { ...meta, figures, checks: this.checks, notes: this.notes };
    writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  }
}

function ratioValue(value: number | null, baseline: number | null | undefined): number | null {
  if (value === null || baseline === undefined || baseline === null || baseline === 0) return null;
  return value / baseline;
}

function ratio(value: number | null, baseline: number | null | undefined): string {
  const r = ratioValue(value, baseline);
  return r === null ? '' : `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(2)}x`;
}

function withUnit(value: number | null, unit: string): string {
  if (value === null) return 'n/a';
  const abs = Math.abs(value);
  const text = abs >= 1000 ? value.toFixed(0) : abs >= 10 ? value.toFixed(1) : value.toFixed(2);
  return unit ? `${text} ${unit}` : text;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map(line)].join('\n');
}

/** Wall-clock milliseconds with sub-millisecond resolution (comparable with other processes on this machine). */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The p-th percentile (0..100) by the nearest-rank method; null for no samples. */
export function percentile(samples: number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

export function log(text: string): void {
  process.stdout.write(`${text}\n`);
}
