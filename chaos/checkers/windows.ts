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

export interface PhaseWindow {
  /** `f1 before`, `f1 during`, `f1 after`, or `whole run`. */
  phase: string;
  from: number;
  to: number;
}

/** "during" runs from injection to heal; before and after are bounded by the neighbouring faults and by `contextMs`. */
export function phaseWindows(h: Pick<RunHistory, 'faults' | 'endedAt'>, contextMs = 15_000): PhaseWindow[] {
  const windows = faultWindows(h);
  if (windows.length === 0) return [{ phase: 'whole run', from: 0, to: h.endedAt }];
  const out: PhaseWindow[] = [];
  let prevEnd = 0;
  for (const { fault, from, to } of windows) {
    const healed = Math.min(fault.healedAt ?? to, to);
    out.push({ phase: `${fault.id} before`, from: Math.max(prevEnd, from - contextMs), to: from });
    out.push({ phase: `${fault.id} during`, from, to: healed });
    out.push({ phase: `${fault.id} after`, from: healed, to: Math.min(to, healed + contextMs) });
    prevEnd = healed;
  }
  return out;
}
