import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchArgs } from './options.ts';

describe('bench options', () => {
  it('defaults: 3 repetitions, 5 kills, every section, auto proxy, 10 s pgbench runs', () => {
    expect(parseBenchArgs([])).toEqual({
      repeat: 3,
      kills: 5,
      only: ['builds', 'boot', 'failover', 'hung', 'lag', 'overhead', 'connections'],
      proxy: 'auto',
      pgbenchSeconds: 10,
      help: false,
    });
  });

  it('kills at least as often as it repeats, unless told', () => {
    expect(parseBenchArgs(['--repeat', '7']).kills).toBe(7);
    expect(parseBenchArgs(['--repeat', '7', '--kills', '2']).kills).toBe(2);
  });

  it('keeps the bench order of --only sections and takes the proxy from PGHA_PROXY', () => {
    const o = parseBenchArgs(['--only', 'connections, boot'], { PGHA_PROXY: 'pgpool' });
    expect(o.only).toEqual(['boot', 'connections']);
    expect(o.proxy).toBe('pgpool');
    expect(parseBenchArgs(['--proxy=proxysql'], { PGHA_PROXY: 'pgpool' }).proxy).toBe('proxysql');
  });

  it('takes the routers\' capacity for a capacity run', () => {
    expect(parseBenchArgs(['--router-max-clients', '2000']).routerMaxClients).toBe(2000);
    expect(parseBenchArgs([]).routerMaxClients).toBeUndefined();
  });

  it.each([
    [['--router-max-clients', '0'], /--router-max-clients "0"/],
    [['--repeat', '0'], /--repeat "0"/],
    [['--repeat', '2.5'], /whole number/],
    [['--repeat', 'x'], /whole number/],
    [['--only', 'builds,speed'], /unknown section\(s\) "speed"/],
    [['--only', ','], /at least one section/],
    [['--proxy', 'haproxy'], /--proxy "haproxy"/],
    [['--fast'], /Unknown option '--fast'/],
    [['extra'], /positional/i],
  ])('refuses %j with a clear error', (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });
});
