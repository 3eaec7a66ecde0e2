// The chaos page's HTTP view: what the trading service's clients (autocannon at a fixed
// rate) saw, second by second under the same fault bands as the timeline, and per phase.
import { httpOutcome, type HttpOutcome, type HttpRequestRecord } from '../model/http-history.ts';
import { faultBands, latencyLines, LEFT, msCell, msText, PLOT, SVG_STYLE, table, td, timeAxis, W, xScale } from './chaos-html-parts.ts';
import type { ChaosReport } from '../model/summary.ts';

const OUTCOMES: { outcome: HttpOutcome; cls: string; color: string; label: string }[] = [
  { outcome: 'ok', cls: 'http-ok', color: '#66bb6a', label: '2xx' },
  { outcome: 'client-error', cls: 'http-4xx', color: '#ffb300', label: '4xx' },
  { outcome: 'server-error', cls: 'http-5xx', color: '#e53935', label: '5xx' },
  { outcome: 'no-answer', cls: 'http-none', color: '#424242', label: 'no answer' },
];

function chart(r: ChaosReport, requests: readonly HttpRequestRecord[]): string {
  const h = r.history;
  const end = Math.max(h.endedAt, 1);
  const x = xScale(end);
  const stepMs = 1000;
  const n = Math.max(1, Math.ceil(end / stepMs));
  const bs = Array.from({ length: n }, (_, i) => ({ t: i * stepMs, counts: { ok: 0, 'client-error': 0, 'server-error': 0, 'no-answer': 0 } as Record<HttpOutcome, number>, lat: [] as number[] }));
  for (const q of requests) {
    const b = bs[Math.min(n - 1, Math.max(0, Math.floor(q.sentAt / stepMs)))]!;
    b.counts[httpOutcome(q)]++;
    if (q.doneAt !== undefined) b.lat.push(q.doneAt - q.sentAt);
  }
  const bw = Math.max(1, (stepMs / end) * PLOT - 0.5);
  const parts: string[] = [];
  let y = 30;

  const barH = 90;
  const maxN = Math.max(1, ...bs.map((b) => b.counts.ok + b.counts['client-error'] + b.counts['server-error'] + b.counts['no-answer']));
  parts.push(`<text x="8" y="${y + 14}" class="lbl">requests/s</text><text x="8" y="${y + 28}" class="sub">by answer</text><g id="http-rates">`);
  for (const b of bs) {
    let top = y + barH;
    for (const o of OUTCOMES) {
      const c = b.counts[o.outcome];
      if (!c) continue;
      const hh = (c / maxN) * barH;
      top -= hh;
      parts.push(`<rect class="${o.cls}" x="${x(b.t).toFixed(1)}" y="${top.toFixed(1)}" width="${bw.toFixed(1)}" height="${hh.toFixed(1)}" fill="${o.color}"><title>${c} ${o.label} at ${(b.t / 1000).toFixed(0)} s</title></rect>`);
    }
  }
  parts.push(`</g><text x="${LEFT - 4}" y="${y + 10}" class="ax" text-anchor="end">${maxN}</text>`);
  y += barH + 25;

  const latH = 90;
  parts.push(latencyLines(bs, x, bw, y, latH, 'http'));
  y += latH + 10;
  parts.push(timeAxis(x, end, y));
  const height = y + 24;
  return `<svg id="http-timeline" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" data-requests="${requests.length}">
${SVG_STYLE}
${faultBands(h.faults, h.endedAt, x, height)}
${parts.join('\n')}
</svg>`;
}

export function httpSection(r: ChaosReport): string {
  const t = r.summary.trading;
  if (!t || !r.trading) return '';
  const tot = t.totals;
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
  const statuses = (b: Record<string, number>) => Object.entries(b).sort(([a], [b2]) => a.localeCompare(b2)).map(([k, v]) => `${k}: ${v}`).join(', ');
  const rows = [...t.phases, tot].map((p) => [
    td(p.phase),
    td(String(p.sent)),
    td(String(p.expected)),
    td(String(p.ok)),
    td(String(p.clientErrors)),
    td(String(p.serverErrors), p.serverErrors ? 'bad' : ''),
    td(String(p.noAnswer), p.noAnswer ? 'bad' : ''),
    td(pct(p.errorRate)),
    ...[p.p50, p.p90, p.p99, p.max].map(msCell),
    td(statuses(p.byStatus)),
  ]);
  const legend = OUTCOMES.map((o) => `${o.label}<span style="background:${o.color}"></span>`).join('');
  return `<h2>What HTTP clients saw: the trading service under autocannon</h2>
<p id="http-summary">autocannon sent <b>${tot.sent}</b> requests at a fixed <b>${t.load.targetRate} req/s</b> (${t.load.connections} connections in ${t.load.lanes} lanes; the rate asks for ${tot.expected}): place an order (writer), read an order and read an account's positions (readers).
The service answers 503 when the database does not answer within ${t.load.deadlineMs} ms. ${tot.ok} 2xx, ${tot.clientErrors} 4xx, ${tot.serverErrors} 5xx, ${tot.noAnswer} without an answer; p50 ${msText(tot.p50)} ms, p99 ${msText(tot.p99)} ms${t.cutAtStop ? `; ${t.cutAtStop} in flight at the stop, not counted` : ''}.</p>
<div class="legend">faults<span style="background:#ffcc80"></span>${legend}p50<span style="background:#5e35b1"></span>p99<span style="background:#d81b60"></span></div>
${chart(r, r.trading.requests)}
${table(['phase', 'sent', 'at the rate', '2xx', '4xx', '5xx', 'no answer', 'error rate', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'by status'], rows, 'http', 'http-phases')}
<p class="note">Latency is from sent to answered, over every answer (a 503 is waited for too). The error rate counts 5xx and no answer; a 4xx (an order read before a standby had it) is the client's.</p>`;
}
