import { describe, expect, it } from 'vitest';
import { answeringHeld, benchTable, connectionFigureNote, connectionLines, formatRatio } from './table.ts';
import type { ConnectionScale } from './report.ts';
import type { BenchFigure } from './report.ts';

const fig = (over: Partial<BenchFigure>): BenchFigure => ({
  section: 'overhead',
  name: 'select-only tps via proxysql',
  unit: 'tps',
  samples: [900, 1000, 1100],
  spread: { n: 3, min: 900, median: 1000, max: 1100 },
  ...over,
});

describe('bench table', () => {
  it('prints one aligned row per figure with its ratio and baseline', () => {
    const t = benchTable([
      fig({ ratio: { baseline: 'select-only tps direct', method: 'paired', spread: { n: 3, min: 0.4, median: 0.5, max: 0.61 } } }),
      fig({ section: 'boot', name: 'boot to formed', unit: 's', samples: [20.123], spread: { n: 1, min: 20.123, median: 20.123, max: 20.123 } }),
    ]);
    const lines = t.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^section\s+figure\s+n\s+min\s+median\s+max\s+unit/);
    expect(lines[1]).toMatch(/^-+ +-+/);
    expect(lines[2]).toContain('0.50x (0.40x-0.61x)');
    expect(lines[2]).toContain('select-only tps direct (same repetition)');
    expect(lines[3]).toContain('20.12');
    // Every row as wide as the header's columns: the median column lines up.
    const at = lines[0]!.indexOf('median') + 'median'.length;
    expect(lines[2]!.slice(at - 4, at)).toBe('1000');
  });

  it('shows a single-sample ratio without a range', () => {
    expect(formatRatio({ n: 1, min: 2, median: 2, max: 2 })).toBe('2.00x');
  });

  it('says whether a connection limit was clean and how many held connections still answered', () => {
    const [line] = connectionLines([
      { proxy: 'proxysql', configuredCapacity: 63, held: 63, attempted: 64, stoppedBy: { kind: 'limit', code: '53300', message: 'sorry, too many clients already', afterMs: 3 }, clean: true, stillServing: 63, proxyRssBytes: 64 * 2 ** 20, proxyProcesses: 66 },
    ]);
    expect(line).toBe('proxysql: held 63 of 63 configured (clean limit: limit 53300 after 3 ms: sorry, too many clients already); 63/63 still answered; proxy RSS 64 MiB in 66 processes');
  });

  const scale = (over: Partial<ConnectionScale>): ConnectionScale => ({
    proxy: 'proxysql',
    configuredCapacity: 63,
    held: 63,
    attempted: 64,
    stoppedBy: { kind: 'limit', code: '53300', message: 'sorry, too many clients already', afterMs: 3 },
    clean: true,
    stillServing: 63,
    ...over,
  });
  it('counts a proxy\'s clients as held only while every one of them answers', () => {
    expect(answeringHeld(scale({}))).toBe(63);
    expect(answeringHeld(scale({ stillServing: 40 }))).toBe(40);
  });
  it('names the bound in the figure note', () => {
    expect(connectionFigureNote(scale({}))).toBe('bound: limit 53300 (clean refusal: sorry, too many clients already); configured capacity 63; 63/63 held still answered');
    expect(connectionFigureNote(scale({ stoppedBy: { kind: 'timeout', message: 'no answer within 5000 ms', afterMs: 5000 }, clean: false, configuredCapacity: undefined }))).toBe(
      'bound: timeout (NOT clean refusal: no answer within 5000 ms); 63/63 held still answered',
    );
  });
});
