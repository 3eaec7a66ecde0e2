// The bench's table for a terminal: one row per figure, its spread, and its ratio against
// the baseline it names. Pure, so its shape is unit-tested.
import type { BenchFigure, BenchUnit, ConnectionScale } from './report.ts';
import type { Spread } from './stats.ts';

const DIGITS: Record<BenchUnit, number> = { s: 2, ms: 1, tps: 0, count: 0 };

export function formatValue(x: number, unit: BenchUnit): string {
  return x.toFixed(DIGITS[unit]);
}

export function formatRatio(r: Spread): string {
  const f = (x: number) => `${x.toFixed(2)}x`;
  return r.n > 1 ? `${f(r.median)} (${f(r.min)}-${f(r.max)})` : f(r.median);
}

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  // Numbers right-aligned, words left-aligned: columns 2..5 are numbers.
  return rows.map((r) => r.map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

export function benchTable(figures: readonly BenchFigure[]): string {
  const header = ['section', 'figure', 'n', 'min', 'median', 'max', 'unit', 'ratio median (min-max)', 'vs baseline'];
  const rows = figures.map((f) => [
    f.section,
    f.name,
    String(f.spread.n),
    formatValue(f.spread.min, f.unit),
    formatValue(f.spread.median, f.unit),
    formatValue(f.spread.max, f.unit),
    f.unit,
    f.ratio ? formatRatio(f.ratio.spread) : '',
    f.ratio ? `${f.ratio.baseline}${f.ratio.method === 'paired' ? ' (same repetition)' : ''}` : '',
  ]);
  const lines = pad([header, ...rows]);
  return [lines[0]!, lines[0]!.replace(/[^ ]/g, '-'), ...lines.slice(1)].join('\n');
}

export function connectionLines(scales: readonly ConnectionScale[]): string[] {
  return scales.map((c) => {
    const cap = c.configuredCapacity === undefined ? '' : ` of ${c.configuredCapacity} configured`;
    const stop = c.stoppedBy.kind === 'cap' ? c.stoppedBy.message : `${c.stoppedBy.kind}${'code' in c.stoppedBy && c.stoppedBy.code ? ` ${c.stoppedBy.code}` : ''} after ${c.stoppedBy.afterMs} ms: ${c.stoppedBy.message}`;
    const mem = c.proxyRssBytes === undefined ? '' : `; proxy RSS ${(c.proxyRssBytes / 2 ** 20).toFixed(0)} MiB in ${c.proxyProcesses} processes`;
    return `${c.proxy}: held ${c.held}${cap} (${c.clean ? 'clean' : 'NOT clean'} limit: ${stop}); ${c.stillServing}/${c.held} still answered${mem}`;
  });
}

/** The clients a proxy held with every one of them still answering: the held count only when all answered. */
export function answeringHeld(c: ConnectionScale): number {
  return Math.min(c.held, c.stillServing);
}

export const connectionFigureName = (proxy: string) => `clients held by ${proxy}, every one answering`;

/** What stopped the next client (the bound), and whether the refusal was clean. */
export function connectionFigureNote(c: ConnectionScale): string {
  const code = 'code' in c.stoppedBy && c.stoppedBy.code ? ` ${c.stoppedBy.code}` : '';
  const cap = c.configuredCapacity === undefined ? '' : `; configured capacity ${c.configuredCapacity}`;
  return `bound: ${c.stoppedBy.kind}${code} (${c.clean ? 'clean' : 'NOT clean'} refusal: ${c.stoppedBy.message})${cap}; ${c.stillServing}/${c.held} held still answered`;
}
