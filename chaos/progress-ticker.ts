// The live side of progress-line.ts: every tick, what the run recorded since the previous
// tick (operations, role samples, HTTP answers), as one line. The sources only ever grow,
// so a cursor per source is the whole window.
import { startTicker } from '../fixtures/progress.ts';
import type { Op, RoleSample } from '../model/history.ts';
import type { HttpRequestRecord } from '../model/http-history.ts';
import { progressLine } from './progress-line.ts';

export interface RunProgressSources {
  now(): number;
  totalMs?: number;
  /** Completed operations so far, in completion order. */
  ops(): readonly Op[];
  /** Role samples so far, in the order taken. */
  samples(): readonly RoleSample[];
  /** The HTTP load's answers so far (in answer order) and what still waits; undefined: no HTTP load. */
  http?(): { answered: readonly HttpRequestRecord[]; pending: number } | undefined;
}

/** The line for the window since the previous call (the first: since the start). */
export function windowedLines(src: RunProgressSources): () => string {
  let ops = 0;
  let samples = 0;
  let answered = 0;
  return () => {
    const allOps = src.ops();
    const allSamples = src.samples();
    const h = src.http?.();
    const line = progressLine({
      elapsedMs: src.now(),
      ...(src.totalMs === undefined ? {} : { totalMs: src.totalMs }),
      ops: allOps.slice(ops),
      samples: allSamples.slice(samples),
      ...(h ? { http: { answered: h.answered.slice(answered), pending: h.pending } } : {}),
    });
    ops = allOps.length;
    samples = allSamples.length;
    answered = h?.answered.length ?? 0;
    return line;
  };
}

/** Prints a progress line at the cadence of fixtures/progress.ts until the returned stop. */
export function startRunProgress(src: RunProgressSources, everyMs?: number): () => void {
  return startTicker(windowedLines(src), everyMs);
}
