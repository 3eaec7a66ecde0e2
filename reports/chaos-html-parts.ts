// Pieces both charts of the chaos page draw with: one x scale (run ms over the same
// width, so the HTTP chart lines up under the timeline), the fault bands, the time axis,
// tables, and escaping.
import type { FaultEvent } from '../model/history.ts';
import { percentile } from '../model/stats.ts';

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export const sec = (ms: number | null | undefined) => (ms === null || ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`);

export const W = 960;
export const LEFT = 110;
export const PLOT = W - LEFT - 20;
export const SVG_STYLE = `<style>.lbl{font:12px sans-serif;fill:#222}.sub{font:10px sans-serif;fill:#777}.ax{font:10px sans-serif;fill:#555}.fl{font:11px sans-serif;fill:#8d4a00}</style>`;

/** Run ms to x, clamped to the run. */
export const xScale = (end: number) => (t: number) => LEFT + (Math.min(Math.max(t, 0), end) / end) * PLOT;

export function timeAxis(x: (t: number) => number, end: number, y: number): string {
  const tickEvery = end > 240_000 ? 30_000 : end > 90_000 ? 15_000 : 5_000;
  const out: string[] = [];
  for (let t = 0; t <= end; t += tickEvery) {
    out.push(`<line x1="${x(t)}" y1="${y}" x2="${x(t)}" y2="${y + 4}" stroke="#555"/><text x="${x(t)}" y="${y + 16}" class="ax" text-anchor="middle">${t / 1000}s</text>`);
  }
  return out.join('\n');
}

/** Fault bands over a chart `height` high, drawn first so data sits on top. */
export function faultBands(faults: readonly FaultEvent[], endedAt: number, x: (t: number) => number, height: number): string {
  return faults
    .map((f) => {
      const to = f.healedAt ?? endedAt;
      const cls = f.status === 'injected' ? 'fault-band' : `fault-band ${f.status}`;
      const fill = f.status === 'injected' ? '#ffcc80' : '#e0e0e0';
      return `<g class="${cls}" data-fault="${esc(f.id)}"><rect x="${x(f.injectedAt).toFixed(1)}" y="18" width="${Math.max(2, x(to) - x(f.injectedAt)).toFixed(1)}" height="${height - 40}" fill="${fill}" opacity="0.45"/><text x="${(x(f.injectedAt) + 3).toFixed(1)}" y="14" class="fl">${esc(f.id)}: ${esc(f.label)}${f.status !== 'injected' ? ` (${f.status})` : ''}</text></g>`;
    })
    .join('\n');
}

/**
 * A latency row `height` high at `y`: p50 and p99 of each bucket as two lines (ids
 * `${idPrefix}-p50`, `${idPrefix}-p99`), the y scale topped by the largest p99.
 */
export function latencyLines(
  buckets: readonly { t: number; lat: readonly number[] }[],
  x: (t: number) => number,
  barWidth: number,
  y: number,
  height: number,
  idPrefix: string,
): string {
  const p50 = buckets.map((b) => percentile(b.lat, 50));
  const p99 = buckets.map((b) => percentile(b.lat, 99));
  const max = Math.max(1, ...p99.filter((v) => Number.isFinite(v)));
  const line = (vals: number[], color: string, id: string) => {
    const pts = vals
      .map((v, i) => (Number.isFinite(v) ? `${(x(buckets[i]!.t) + barWidth / 2).toFixed(1)},${(y + height - (Math.min(v, max) / max) * height).toFixed(1)}` : ''))
      .filter(Boolean);
    return `<polyline id="${id}" fill="none" stroke="${color}" stroke-width="1.5" points="${pts.join(' ')}"/>`;
  };
  return [
    `<text x="8" y="${y + 14}" class="lbl">latency</text><text x="8" y="${y + 28}" class="sub">p50 / p99 ms</text>`,
    line(p50, '#5e35b1', `${idPrefix}-p50`),
    line(p99, '#d81b60', `${idPrefix}-p99`),
    `<text x="${LEFT - 4}" y="${y + 10}" class="ax" text-anchor="end">${max.toFixed(0)}</text>`,
  ].join('\n');
}

export function table(head: string[], rows: string[][], cls = '', id = ''): string {
  return `<table${id ? ` id="${id}"` : ''} class="${cls}"><thead><tr>${head.map((x) => `<th>${esc(x)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.join('')}</tr>`).join('')}</tbody></table>`;
}

export const td = (s: string, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${esc(s)}</td>`;

/** A number of ms; a dash when there was nothing to measure. */
export const msText = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '–');
export const msCell = (v: number) => td(msText(v));
