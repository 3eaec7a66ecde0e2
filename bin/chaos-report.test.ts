// The chaos report page, rendered from a hand-made run: first as a string, then opened
// in a real headless browser (Debian's chromium, installed by `npm run setup`).
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../fixtures/docker.ts';
import { chromiumPath } from '../fixtures/machine.ts';
import type { Op, RoleSample } from '../load/workload/index.ts';
import { checkAll, checkTrading } from '../chaos/checkers/index.ts';
import type { HttpRequestRecord, TradingHistory } from '../load/trading/index.ts';
import type { RunHistory } from '../model/history.ts';
import { renderHtml } from '../reports/chaos-html.ts';
import { summarize } from '../chaos/summary.ts';
import { junitXml } from '../reports/chaos-junit.ts';

function handMadeRun() {
  const ops: Op[] = [];
  for (let t = 0; t < 40_000; t += 100) {
    const bad = t >= 10_000 && t < 13_000;
    ops.push({ id: `w${t % 4}:${t}`, kind: 'write', process: `w${t % 4}`, key: t, invokedAt: t, completedAt: t + 8, invokedWall: 1e12 + t, outcome: bad ? 'fail' : 'ok', via: 'proxysql', node: t < 10_000 ? 'pg-1' : 'pg-2' });
  }
  const samples: RoleSample[] = [];
  for (let t = 0; t < 40_000; t += 200) {
    samples.push({ node: 'pg-1', at: t, wall: 1e12 + t, state: t < 10_000 ? 'writable' : t < 25_000 ? 'unreachable' : 'standby' });
    samples.push({ node: 'pg-2', at: t, wall: 1e12 + t, state: t < 12_000 ? 'standby' : 'writable' });
  }
  const history: RunHistory = {
    ops,
    samples,
    faults: [
      { id: 'f1', fault: 'kill', targets: ['pg-1'], label: 'kill pg-1 (the primary)', injectedAt: 10_000, healedAt: 25_000, status: 'injected' },
      { id: 'f2', fault: 'latency', targets: ['pg-2'], label: 'latency +100 ms pg-2', injectedAt: 30_000, status: 'unsupported', reason: 'tc netem is not available in this kernel' },
    ],
    rows: ops.filter((o) => o.outcome === 'ok').map((o) => ({ id: o.key, writer: 0, timeline: o.invokedAt < 10_000 ? 1 : 2, committedAt: 1e12 + o.invokedAt, node: o.node! })),
    endedAt: 40_000,
    epochWall: 1e12,
  };
  history.rows = history.rows!.filter((r) => r.id !== 500); // one acknowledged write lost
  // HTTP clients at 20 req/s from 1 s to 39 s; while pg-1 is down (10-13 s) the service
  // answers 503 after its 2 s deadline, and a few requests get no answer.
  const requests: HttpRequestRecord[] = [];
  for (let t = 1000; t < 39_000; t += 50) {
    const id = `h${requests.length}`;
    const down = t >= 10_000 && t < 13_000;
    if (down && t % 1000 === 0) requests.push({ id, kind: 'read-order', sentAt: t, error: 'no answer' });
    else requests.push({ id, kind: 'read-positions', sentAt: t, doneAt: t + (down ? 2000 : 6), status: down ? 503 : 200 });
  }
  const trading: TradingHistory = { load: { targetRate: 20, connections: 8, lanes: 4, deadlineMs: 2000 }, startedAt: 1000, stoppedAt: 39_000, requests, cutAtStop: 2, orders: { from: 'pg-2', orders: [], positions: [] } };
  const verdicts = [...checkAll(history), ...checkTrading(trading, history)];
  const summary = summarize({
    runId: 'test-run',
    schedule: { scenario: 'kill-primary', seed: 7, durationMs: 40_000, steps: [] },
    history,
    verdicts,
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:40Z',
    proxyFlavor: 'pgpool',
    proxyFlavorReason: 'the ProxySQL image cannot be pulled here',
    images: [{ name: 'postgres', ref: 'pgha/postgres:local', digest: 'sha256:abc' }],
    budgetMs: 30_000,
    trading,
  });
  return { summary, history, trading };
}

describe('chaos report page', () => {
  const report = handMadeRun();
  const html = renderHtml(report);

  it('puts the verdicts on top, naming the lost write', () => {
    expect(report.summary.outcome).toBe('fail');
    expect(html.indexOf('class="verdicts"')).toBeLessThan(html.indexOf('id="timeline"'));
    expect(html).toContain('w0:500 (key 500) acknowledged, missing');
  });
  it('reports an unsupported fault as unsupported, never as passed', () => {
    expect(report.summary.unsupported.map((u) => u.what)).toContain('fault f2: latency +100 ms pg-2');
    expect(html).toContain('tc netem is not available in this kernel');
  });
  it('summarizes what the HTTP clients saw per phase, against the fixed rate', () => {
    const t = report.summary.trading!;
    expect(t.phases.map((p) => [p.phase, p.sent, p.expected, p.serverErrors, p.noAnswer])).toEqual([
      ['f1 before', 180, 180, 0, 0],
      ['f1 during', 300, 300, 57, 3],
      ['f1 after', 280, 280, 0, 0],
    ]);
    expect(t.totals).toMatchObject({ sent: 760, expected: 760, p99: 2000, max: 2000 });
    expect(report.summary.verdicts.find((v) => v.checker === 'http-baseline')?.status).toBe('pass');
  });
  it('is self-contained: no external assets', () => {
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<script/);
  });
  it('writes JUnit with the broken invariant as a failure and the unsupported one skipped', () => {
    const xml = junitXml('chaos kill-primary', report.summary.verdicts, 40);
    expect(xml).toContain('<failure message="1 acknowledged writes lost');
    expect(xml).toMatch(/failures="1"/);
  });

  const dir = mkdtempSync(join(tmpdir(), 'pgha-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders the timeline with the run’s data in a real headless browser', async () => {
    const chromium = await chromiumPath();
    if (!chromium) throw new Error('chromium is not installed: `npm run setup` installs it (Debian as root)');
    const page = join(dir, 'report.html');
    writeFileSync(page, html);
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${join(dir, 'profile')}`];
    const dom = await run(chromium, [...flags, '--dump-dom', `file://${page}`]);
    expect(dom.code).toBe(0);
    // The browser parsed the page into a DOM with the timeline and the run's data in it.
    expect(dom.stdout).toMatch(/<svg id="timeline"[^>]*data-ops="400"/);
    // Two faults, banded over the timeline and again over the HTTP chart.
    expect(dom.stdout.match(/class="fault-band/g)?.length).toBe(4);
    expect(dom.stdout.match(/class="role-lane" data-node="pg-[12]"/g)?.length).toBe(2);
    expect(dom.stdout.match(/class="err-bar"/g)?.length).toBeGreaterThan(0);
    // The HTTP view: every request in the chart, the 503s and the unanswered ones as
    // bars of their own in the seconds of the outage, one table row per phase plus totals.
    expect(dom.stdout).toMatch(/<svg id="http-timeline"[^>]*data-requests="760"/);
    expect(dom.stdout.match(/class="http-5xx"/g)?.length).toBe(3);
    expect(dom.stdout.match(/class="http-none"/g)?.length).toBe(3);
    const httpTable = /<table id="http-phases"[\s\S]*?<\/table>/.exec(dom.stdout)?.[0] ?? '';
    expect(httpTable.match(/<tr>/g)?.length).toBe(1 + 4);
    expect(httpTable).toContain('<td>f1 during</td><td>300</td><td>300</td><td>240</td><td>0</td><td class="bad">57</td><td class="bad">3</td><td>20.0 %</td>');
    const shot = join(dir, 'shot.png');
    const s = await run(chromium, [...flags, `--screenshot=${shot}`, '--window-size=1100,1400', `file://${page}`]);
    expect(s.code).toBe(0);
    expect(existsSync(shot) && statSync(shot).size).toBeGreaterThan(10_000);
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
  }, 60_000);
});
