// One self-contained page per chaos run: the verdicts on top, then a timeline (inline
// SVG, no external assets) with the faults as bands over throughput, errors, latency and
// every data node's role.
import { latencyMs, type Op, type RoleSample } from '../model/history.ts';
import { esc, faultBands, latencyLines, LEFT, msCell, PLOT, sec, SVG_STYLE, table, td, timeAxis, W, xScale } from './chaos-html-parts.ts';
import { httpSection } from './chaos-html-http.ts';
import type { ChaosReport } from '../model/summary.ts';

const STATE_COLOR: Record<RoleSample['state'], string> = { writable: '#2e7d32', 'read-only': '#ef6c00', standby: '#1565c0', unreachable: '#9e9e9e' };

interface Bucket {
  t: number;
  ok: number;
  bad: number;
  lat: number[];
}

function buckets(ops: readonly Op[], endMs: number, stepMs: number): Bucket[] {
  const n = Math.max(1, Math.ceil(endMs / stepMs));
  const out: Bucket[] = Array.from({ length: n }, (_, i) => ({ t: i * stepMs, ok: 0, bad: 0, lat: [] }));
  for (const o of ops) {
    if (o.pinnedTo) continue;
    const b = out[Math.min(n - 1, Math.max(0, Math.floor(o.invokedAt / stepMs)))]!;
    if (o.outcome === 'ok') {
      b.ok++;
      b.lat.push(latencyMs(o));
    } else b.bad++;
  }
  return out;
}

function timeline(r: ChaosReport): string {
  const h = r.history;
  const end = Math.max(h.endedAt, 1);
  const x = xScale(end);
  const stepMs = 1000;
  const bs = buckets(h.ops, end, stepMs);
  const bw = Math.max(1, (stepMs / end) * PLOT - 0.5);
  const parts: string[] = [];
  let y = 30;

  // Throughput and errors per second.
  const tpH = 110;
  const maxOps = Math.max(1, ...bs.map((b) => b.ok + b.bad));
  const tpY = y;
  parts.push(`<text x="8" y="${tpY + 14}" class="lbl">ops/s</text><text x="8" y="${tpY + 28}" class="sub">ok / failed</text>`);
  parts.push(`<g id="throughput">`);
  for (const b of bs) {
    const hOk = (b.ok / maxOps) * tpH;
    const hBad = (b.bad / maxOps) * tpH;
    if (b.ok) parts.push(`<rect class="ok-bar" x="${x(b.t).toFixed(1)}" y="${(tpY + tpH - hOk).toFixed(1)}" width="${bw.toFixed(1)}" height="${hOk.toFixed(1)}" fill="#66bb6a"/>`);
    if (b.bad) parts.push(`<rect class="err-bar" x="${x(b.t).toFixed(1)}" y="${(tpY + tpH - hOk - hBad).toFixed(1)}" width="${bw.toFixed(1)}" height="${hBad.toFixed(1)}" fill="#e53935"><title>${b.bad} failed at ${(b.t / 1000).toFixed(0)} s</title></rect>`);
  }
  parts.push(`</g><text x="${LEFT - 4}" y="${tpY + 10}" class="ax" text-anchor="end">${maxOps}</text>`);
  y += tpH + 25;

  // Latency p50 / p99 per second, of acknowledged operations.
  const latH = 110;
  parts.push(latencyLines(bs, x, bw, y, latH, 'latency'));
  y += latH + 25;

  // Roles: one lane per sampled node, a segment per run of one state.
  const nodes = [...new Set(h.samples.map((s) => s.node))].sort();
  const laneH = 16;
  parts.push(`<g id="roles">`);
  for (const n of nodes) {
    const ss = h.samples.filter((s) => s.node === n).toSorted((a, b) => a.at - b.at);
    parts.push(`<text x="8" y="${y + 12}" class="lbl">${esc(n)}</text><g class="role-lane" data-node="${esc(n)}">`);
    let i = 0;
    while (i < ss.length) {
      let j = i;
      while (j + 1 < ss.length && ss[j + 1]!.state === ss[i]!.state) j++;
      const from = ss[i]!.at;
      const to = ss[j + 1]?.at ?? ss[j]!.at + 200;
      parts.push(`<rect class="role ${ss[i]!.state}" x="${x(from).toFixed(1)}" y="${y}" width="${Math.max(0.5, x(to) - x(from)).toFixed(1)}" height="${laneH}" fill="${STATE_COLOR[ss[i]!.state]}"><title>${esc(n)} ${ss[i]!.state} ${(from / 1000).toFixed(1)}–${(to / 1000).toFixed(1)} s</title></rect>`);
      i = j + 1;
    }
    parts.push(`</g>`);
    y += laneH + 4;
  }
  parts.push(`</g>`);
  y += 10;

  parts.push(timeAxis(x, end, y));
  const height = y + 24;
  return `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" data-ops="${h.ops.length}" data-samples="${h.samples.length}" data-faults="${h.faults.length}">
${SVG_STYLE}
${faultBands(h.faults, h.endedAt, x, height)}
${parts.join('\n')}
</svg>`;
}

export function renderHtml(r: ChaosReport): string {
  const s = r.summary;
  const verdicts = table(
    ['verdict', 'claim', 'what was found', 'evidence'],
    s.verdicts.map((v) => [td(v.status.toUpperCase(), `v ${v.status}`), td(v.claim), td(v.summary), `<td>${v.evidence.slice(0, 12).map((e) => `<code>${esc(e)}</code>`).join('<br>')}${v.evidence.length > 12 ? `<br>… ${v.evidence.length - 12} more` : ''}</td>`]),
    'verdicts',
  );
  const routerNames = [...new Set(s.recovery.flatMap((c) => Object.keys(c.routerMs)))].sort();
  const recovery = table(
    ['fault', 'primary before → after', 'database', ...routerNames.map((n) => `router ${n}`), 'client', 'failed writes'],
    s.recovery.map((c) => [
      td(`${c.faultId}: ${c.label}`),
      td(`${c.primaryBefore ?? '?'} → ${c.primaryAfter ?? '?'}`),
      td(sec(c.databaseMs)),
      ...routerNames.map((n) => td(sec(c.routerMs[n as keyof typeof c.routerMs]))),
      td(sec(c.clientMs), c.clientMs === null || c.clientMs > s.budgetMs ? 'over' : ''),
      td(String(c.failedWrites)),
    ]),
  );
  const switches = s.timelineSwitches.length
    ? `<p>Write gap around each timeline switch, read back from the rows (the servers' clocks): ${s.timelineSwitches.map((t) => `timeline ${t.fromTimeline} → ${t.toTimeline}: <b>${sec(t.gapMs)}</b>`).join('; ')}</p>`
    : '';
  const phases = table(
    ['phase', 'ops', 'failed', 'unknown', 'error rate', 'ok/s', 'p50 ms', 'p95 ms', 'p99 ms'],
    s.phases.map((p) => [td(p.phase), td(String(p.ops)), td(String(p.fail)), td(String(p.unknown)), td(`${(p.errorRate * 100).toFixed(1)} %`), td(p.okPerSecond.toFixed(1)), ...[p.p50, p.p95, p.p99].map(msCell)]),
  );
  const unsupported = s.unsupported.length
    ? `<h2>Unsupported here (not passed)</h2><ul id="unsupported">${s.unsupported.map((u) => `<li><b>${esc(u.what)}</b>: ${esc(u.why)}</li>`).join('')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pgha chaos ${esc(s.scenario)} ${esc(s.runId)}: ${s.outcome.toUpperCase()}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
h1 .pass{color:#2e7d32}h1 .fail{color:#c62828}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
td.v.pass{background:#e8f5e9;color:#1b5e20;font-weight:bold}td.v.fail{background:#ffebee;color:#b71c1c;font-weight:bold}td.v.unsupported{background:#fff8e1;color:#8d6e00;font-weight:bold}
td.over,td.bad{color:#b71c1c;font-weight:bold}.note{font-size:12px;color:#555}code{font-size:12px}pre{background:#f6f6f6;padding:8px}
.legend span{display:inline-block;width:12px;height:12px;margin:0 14px 0 4px;vertical-align:middle}
</style></head><body>
<h1>Chaos <code>${esc(s.scenario)}</code>, seed ${s.seed}: <span id="outcome" class="${s.outcome}">${s.outcome.toUpperCase()}</span></h1>
<p>Run <code>${esc(s.runId)}</code>, ${esc(s.startedAt)} → ${esc(s.finishedAt)}. Routers: <b>${esc(s.proxyFlavor)}</b>${s.proxyFlavorReason ? ` (${esc(s.proxyFlavorReason)})` : ''}.
${s.counts.writes} writes (${s.counts.acknowledged} acknowledged), ${s.counts.ops - s.counts.writes} reads, ${s.counts.samples} role samples${s.counts.rows !== null ? `, ${s.counts.rows} rows read back${s.readBackFrom ? ` from ${esc(s.readBackFrom)}` : ''}` : ''}.</p>
${verdicts}
<h2>Timeline</h2>
<div class="legend">faults<span style="background:#ffcc80"></span>ok<span style="background:#66bb6a"></span>failed<span style="background:#e53935"></span>p50<span style="background:#5e35b1"></span>p99<span style="background:#d81b60"></span>writable<span style="background:${STATE_COLOR.writable}"></span>standby<span style="background:${STATE_COLOR.standby}"></span>read-only<span style="background:${STATE_COLOR['read-only']}"></span>unreachable<span style="background:${STATE_COLOR.unreachable}"></span></div>
${timeline(r)}
<h2>Recovery clocks (budget ${sec(s.budgetMs)}, the client's)</h2>
${recovery}${switches}
<h2>Clients before, during and after each fault</h2>
${phases}
${httpSection(r)}
${unsupported}
<h2>Schedule</h2><pre>${esc(s.schedule)}</pre>
<h2>Images</h2><ul>${s.images.map((i) => `<li><code>${esc(i.ref)}</code> ${esc(i.digest)}</li>`).join('')}</ul>
</body></html>
`;
}
