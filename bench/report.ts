// What `npm run bench` writes to reports/out/bench.json: figures as plain data, each
// with its spread and, for timings, its ratio against a named baseline of the same run.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spread as spreadOf, type Spread } from './stats.ts';

export const BENCH_SECTIONS = ['builds', 'boot', 'failover', 'hung', 'lag', 'overhead', 'connections'] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];

export type BenchUnit = 's' | 'ms' | 'tps' | 'count';

export interface BenchRatio {
  /** The baseline's name, as it appears among the report's figures. */
  baseline: string;
  /** paired: run i over baseline run i; median: each run over the baseline's median. */
  method: 'paired' | 'median';
  spread: Spread;
}

export interface BenchFigure {
  section: BenchSection | 'baseline';
  name: string;
  unit: BenchUnit;
  samples: number[];
  spread: Spread;
  ratio?: BenchRatio;
  /** What a reader must know to compare it (cache state, what was routed where). */
  note?: string;
}

/** How many client connections one proxy held, and what stopped the next one. */
export interface ConnectionScale {
  proxy: string;
  /** num_init_children - reserved_connections, read from the running proxy's config. */
  configuredCapacity?: number;
  held: number;
  /** Connections tried (held + the one refused, or the cap). */
  attempted: number;
  stoppedBy: { kind: string; code?: string; message: string; afterMs: number } | { kind: 'cap'; message: string; afterMs: 0 };
  /** The refusal was SQLSTATE 53300 (or the cap) and came at once, not after a hang. */
  clean: boolean;
  /** Held connections that answered a query after the limit was hit. */
  stillServing: number;
  /** Resident memory of the proxy's processes while holding them (bytes), when measurable. */
  proxyRssBytes?: number;
  proxyProcesses?: number;
  /** Backend connections on the primary while holding them. */
  primaryBackends?: number;
}

/** One primary kill of the failover section (a pause of the hung section): ms from the fault to each clock stopping (null: never). */
export interface FailoverKill {
  old: string;
  winner: string;
  databaseMs: number | null;
  /** The direct client's clock: libpq read-write over the data nodes, no router (the baseline). */
  directMs: number | null;
  routerMs: Record<string, number | null>;
  clientMs: number | null;
  failedWrites: number;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; memoryGiB: number; kernel: string; nofileSoft?: number };
  options: { repeat: number; kills: number; only: BenchSection[]; proxy: string; pgbenchSeconds: number; routerMaxClients?: number };
  proxyFlavor?: string;
  proxyFlavorReason?: string;
  baseImage?: string;
  figures: BenchFigure[];
  /** Every kill of the failover section, the direct baseline beside the routers' clocks. */
  failover?: FailoverKill[];
  /** Every pause of the hung section (the primary kept paused until the clocks stopped), the same way. */
  hung?: FailoverKill[];
  connections: ConnectionScale[];
  /** The connection-scale bounds found, as sentences (process model, limits, memory). */
  bounds: string[];
  /** Sections that failed, with why: reported, never silently dropped. */
  errors: { section: BenchSection; error: string }[];
}

export function writeBenchReport(dir: string, report: BenchReport): string {
  mkdirSync(dir, { recursive: true });
  const f = join(dir, 'bench.json');
  writeFileSync(f, JSON.stringify(report, null, 2) + '\n');
  return f;
}

/** A figure from its samples; undefined when none were measured (said elsewhere, never zero). */
export function makeFigure(
  section: BenchFigure['section'],
  name: string,
  unit: BenchUnit,
  samples: readonly number[],
  extra: { ratio?: BenchRatio; note?: string } = {},
): BenchFigure | undefined {
  const s = spreadOf(samples);
  return s ? { section, name, unit, samples: [...samples], spread: s, ...extra } : undefined;
}
