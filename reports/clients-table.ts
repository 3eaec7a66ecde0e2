// The client conformance table (driver x fault): kept as clients.json in the run's
// directory while the suite runs, folded into summary.json, and rendered as clients.html
// and as the Markdown the README carries. Renders only; the suite judges.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDir } from '../model/paths.ts';
import type { ClientRow } from '../model/clients.ts';
import { esc } from './chaos-html-parts.ts';

const FILE = 'clients.json';

export function readClientRows(runId: string): ClientRow[] {
  const f = join(runDir(runId), FILE);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as ClientRow[]) : [];
}

/** Adds rows (a driver under a fault) to the run's table; the suite's worker and the setup share only files. */
export function appendClientRows(runId: string, rows: readonly ClientRow[]): void {
  writeFileSync(join(runDir(runId), FILE), JSON.stringify([...readClientRows(runId), ...rows], null, 1) + '\n');
}

const secs = (s: number | null) => (s === null ? 'not back' : `${s.toFixed(1)} s`);
const errorsText = (e: Record<string, number>) =>
  Object.entries(e)
    .sort(([, a], [, b]) => b - a)
    .map(([k, n]) => `${k} ×${n}`)
    .join('; ') || 'none';

/** The columns both renderings show, in order. */
function cells(r: ClientRow): string[] {
  return [
    r.title,
    r.version,
    r.fault,
    r.budgetSecs === null ? '–' : `${r.budgetSecs} s`,
    r.fault === 'as documented' ? (r.passed ? 'never connects (as expected)' : 'connected?') : secs(r.outageSecs),
    errorsText(r.errors),
    r.recovery,
    `${r.lostWrites} of ${r.ackedWrites}`,
    r.mustDo,
    r.passed ? 'pass' : `FAIL${r.why ? `: ${r.why}` : ''}`,
  ];
}

const HEAD = ['driver', 'version', 'fault', 'budget', 'outage (client clock)', 'errors (class SQLSTATE)', 'recovered', 'acked writes lost', 'the application must', 'verdict'];

export function clientsMarkdown(rows: readonly ClientRow[]): string {
  const line = (c: string[]) => `| ${c.map((x) => x.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(HEAD), line(HEAD.map(() => '---')), ...rows.map((r) => line(cells(r)))].join('\n');
}

export function clientsHtml(runId: string, flavor: string, rows: readonly ClientRow[]): string {
  const settings = [...new Map(rows.map((r) => [r.driver, r])).values()];
  return `<!doctype html><meta charset="utf-8"><title>pgha clients ${esc(runId)}</title>
<style>body{font:14px sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}tr.fail td{background:#fdd}code{font-size:12px}</style>
<h1>Client conformance, run ${esc(runId)} (through ${esc(flavor)})</h1>
<p>Each driver runs its pool on the cluster network, one write and one read at a time, while each fault happens. Outage: from the fault to the first good write after the last failed one.</p>
<table><tr>${HEAD.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>
${rows.map((r) => `<tr class="${r.passed ? 'pass' : 'fail'}">${cells(r).map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n')}
</table>
<h2>Settings each driver ran with</h2>
<table><tr><th>driver</th><th>settings</th></tr>
${settings.map((r) => `<tr><td>${esc(r.title)}</td><td><code>${esc(r.settings)}</code></td></tr>`).join('\n')}
</table>
`;
}

/** Writes clients.html beside summary.json when the run has a clients table; returns its path. */
export function writeClientsHtml(runId: string, flavor: string): string | undefined {
  const rows = readClientRows(runId);
  if (rows.length === 0) return undefined;
  const f = join(runDir(runId), 'clients.html');
  writeFileSync(f, clientsHtml(runId, flavor, rows));
  return f;
}
