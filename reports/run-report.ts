// Where a run's numbers go: reports/out/<run-id>/. Suites append measurements as JSON
// lines (workers share the file system, not memory); the run's end writes summary.json.
import { appendFileSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPORTS_OUT, runDir } from '../model/paths.ts';
import type { ClusterInfo } from '../cluster/info.ts';
import type { PhaseTiming } from '../fixtures/progress.ts';
import type { ClientRow } from '../model/clients.ts';

/** A number the run measured, with its unit: times are data. */
export interface Measurement {
  suite: string;
  name: string;
  value: number;
  unit: 's' | 'ms' | 'count' | 'ratio' | 'bytes' | '%';
  /** What the number is about, e.g. the standby or the proxy it was measured on. */
  subject?: string;
  at: string;
}

export function record(runId: string, m: Omit<Measurement, 'at'>): void {
  appendFileSync(join(runDir(runId), 'measurements.jsonl'), JSON.stringify({ ...m, at: new Date().toISOString() }) + '\n');
}

export function readMeasurements(runId: string): Measurement[] {
  const f = join(runDir(runId), 'measurements.jsonl');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Measurement);
}

export interface RunSummary {
  runId: string;
  startedAt: string;
  finishedAt: string;
  /** The router the suites went through: never swapped silently. */
  proxyFlavor: string;
  proxyFlavorReason: string;
  images: { name: string; ref: string; digest: string }[];
  baseImage: string;
  bootSeconds: number;
  phases: readonly PhaseTiming[];
  measurements: Measurement[];
  /** Client conformance, driver x fault (suites/clients.test.ts); empty when that suite did not run. */
  clients?: ClientRow[];
  unsupported: { what: string; why: string }[];
}

export function writeSummary(summary: RunSummary): string {
  const f = join(runDir(summary.runId), 'summary.json');
  writeFileSync(f, JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(REPORTS_OUT, 'latest-run'), summary.runId + '\n');
  return f;
}

export const summaryImages = (info: ClusterInfo) => [info.images.postgres, info.images.router];

/**
 * One line for the end of a cluster run: the acknowledged writes its failover cases lost,
 * summed over the cases that counted them, and in which replication mode (synchronous mode
 * must say 0; the suites fail it otherwise). Nothing when no case counted any.
 */
export function lostWritesLine(measurements: readonly Measurement[], mode: 'off' | 'any1'): string | undefined {
  const counted = measurements.filter((m) => m.name === 'acknowledged writes lost' && m.unit === 'count');
  if (counted.length === 0) return undefined;
  const lost = counted.reduce((sum, m) => sum + m.value, 0);
  const where = counted.filter((m) => m.value > 0).map((m) => `${m.subject ?? m.suite}: ${m.value}`);
  return `acknowledged writes lost: ${lost} in ${counted.length} case(s), ${mode === 'any1' ? 'synchronous (ANY 1)' : 'asynchronous'} replication${where.length ? ` (${where.join('; ')})` : ''}`;
}
