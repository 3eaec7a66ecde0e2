// `npm run bench` options. Bad options are the user's to fix: a BenchUsageError says
// which and why, and the CLI exits 2.
import { readCli } from '../fixtures/cli-args.ts';
import { proxyChoice } from '../fixtures/proxy-choice.ts';
import { BENCH_SECTIONS, type BenchSection } from './report.ts';

export type BenchProxy = 'auto' | 'pgpool' | 'proxysql';

export interface BenchOptions {
  /** Repetitions of every figure but failover (default 3). */
  repeat: number;
  /** Primary kills for the failover clocks, and pauses for the hung ones (default 5, or --repeat when larger). */
  kills: number;
  only: BenchSection[];
  proxy: BenchProxy;
  /** Duration of each pgbench run (default 10 s). */
  pgbenchSeconds: number;
  /** ROUTER_MAX_CLIENTS for both routers; undefined: the flavor's default. */
  routerMaxClients?: number;
  help: boolean;
}

export const BENCH_USAGE = `usage: npm run bench -- [--repeat N] [--kills N] [--only ${BENCH_SECTIONS.join(',')}] [--proxy auto|pgpool|proxysql] [--pgbench-seconds S] [--router-max-clients N]
  --repeat N           repetitions of each figure (default 3)
  --kills N            primary kills for the failover clocks, and pauses for the hung ones (default 5; at least --repeat)
  --only a,b           sections to run (default all)
  --proxy              router flavor (default auto, or PGHA_PROXY)
  --pgbench-seconds S  length of each pgbench run (default 10)
  --router-max-clients N  clients each router takes (ROUTER_MAX_CLIENTS; default: the flavor's, see fixtures/router-flavors.ts)`;

export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}

function wholeNumber(flag: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min) throw new BenchUsageError(`${flag} "${raw}": use a whole number of at least ${min}`);
  return n;
}

export function parseBenchArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): BenchOptions {
  const read = readCli(argv, {
    repeat: { type: 'string' },
    kills: { type: 'string' },
    only: { type: 'string' },
    proxy: { type: 'string' },
    'pgbench-seconds': { type: 'string' },
    'router-max-clients': { type: 'string' },
  });
  if (read.kind === 'error') throw new BenchUsageError(read.message);
  const help = read.kind === 'help';
  const values = read.kind === 'values' ? read.values : {};
  const repeat = wholeNumber('--repeat', values.repeat, 3, 1);
  const kills = wholeNumber('--kills', values.kills, Math.max(5, repeat), 1);
  const pgbenchSeconds = wholeNumber('--pgbench-seconds', values['pgbench-seconds'], 10, 1);
  let only: BenchSection[] = [...BENCH_SECTIONS];
  if (values.only !== undefined) {
    const asked = values.only.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = asked.filter((s) => !(BENCH_SECTIONS as readonly string[]).includes(s));
    if (asked.length === 0) throw new BenchUsageError('--only needs at least one section');
    if (unknown.length) throw new BenchUsageError(`--only: unknown section(s) ${unknown.map((u) => `"${u}"`).join(', ')}; choose from ${BENCH_SECTIONS.join(',')}`);
    // In the bench's own order, whatever order they were asked in.
    only = BENCH_SECTIONS.filter((s) => asked.includes(s));
  }
  let proxy: BenchProxy;
  try {
    proxy = proxyChoice(values.proxy, env);
  } catch (e) {
    throw new BenchUsageError((e as Error).message);
  }
  const maxClients = values['router-max-clients'];
  const routerMaxClients = maxClients === undefined ? undefined : wholeNumber('--router-max-clients', maxClients, 0, 1);
  return { repeat, kills, only, proxy, pgbenchSeconds, ...(routerMaxClients ? { routerMaxClients } : {}), help };
}
