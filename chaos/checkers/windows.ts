// The stretch of a run that belongs to each fault: from its injection to the next
// fault's injection (or the end of the run). And the phases the reports split clients
// by: before, during and after each fault, or the whole run when there was none.
import type { FaultEvent, RunHistory } from '../../model/history.ts';

export interface FaultWindow {
  fault: FaultEvent;
  from: number;
  to: number;
}

export function faultWindows(h: Pick<RunHistory, 'faults' | 'endedAt'>): FaultWindow[] {
  const injected = h.faults.filter((f) => f.status === 'injected').toSorted((a, b) => a.injectedAt - b.injectedAt);
  return injected.map((fault, i) => ({ fault, from: fault.injectedAt, to: injected[i + 1]?.injectedAt ?? h.endedAt }));
}

/**
 * The healthy stretch every baseline check judges: from the moment every client of the
 * load had its first session (not t=0: the first sessions through a router are slow on a
 * busy machine, which says nothing about the healthy cluster) to the first fault, or the
 * end of the run when there was none. A load that never got ready has no baseline.
 */
export type BaselineWindow = { from: number; to: number; faultFree: boolean } | { error: string };

export function baselineWindow(h: Pick<RunHistory, 'faults' | 'endedAt' | 'loadReadyAt' | 'loadNotReady'>): BaselineWindow {
  if (h.loadNotReady !== undefined) return { error: `the load never got ready: ${h.loadNotReady}` };
  const first = faultWindows(h)[0];
  const from = h.loadReadyAt ?? 0;
  const to = first?.from ?? h.endedAt;
  if (to <= from) return { error: `the load got ready at ${(from / 1000).toFixed(1)} s, after the first fault went in at ${(to / 1000).toFixed(1)} s` };
  return { from, to, faultFree: first === undefined };
}

export interface PhaseWindow {
  /** `f1 before`, `f1 during`, `f1 after`, or `whole run`. */
  phase: string;
  from: number;
  to: number;
}

/** "during" runs from injection to heal; before and after are bounded by the neighbouring faults, by `contextMs` and by the load's ready time. */
export function phaseWindows(h: Pick<RunHistory, 'faults' | 'endedAt' | 'loadReadyAt'>, contextMs = 15_000): PhaseWindow[] {
  const windows = faultWindows(h);
  // Before the load was ready the clients were still opening their first sessions.
  const start = Math.min(h.loadReadyAt ?? 0, windows[0]?.from ?? h.endedAt);
  if (windows.length === 0) return [{ phase: 'whole run', from: start, to: h.endedAt }];
  const out: PhaseWindow[] = [];
  let prevEnd = start;
  for (const { fault, from, to } of windows) {
    const healed = Math.min(fault.healedAt ?? to, to);
    out.push({ phase: `${fault.id} before`, from: Math.max(prevEnd, from - contextMs), to: from });
    out.push({ phase: `${fault.id} during`, from, to: healed });
    out.push({ phase: `${fault.id} after`, from: healed, to: Math.min(to, healed + contextMs) });
    prevEnd = healed;
  }
  return out;
}
