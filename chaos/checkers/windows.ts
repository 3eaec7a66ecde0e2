// The stretch of a run that belongs to each fault: from its injection to the next
// fault's injection (or the end of the run).
import type { FaultEvent, RunHistory } from '../history.ts';

export interface FaultWindow {
  fault: FaultEvent;
  from: number;
  to: number;
}

export function faultWindows(h: Pick<RunHistory, 'faults' | 'endedAt'>): FaultWindow[] {
  const injected = h.faults.filter((f) => f.status === 'injected').toSorted((a, b) => a.injectedAt - b.injectedAt);
  return injected.map((fault, i) => ({ fault, from: fault.injectedAt, to: injected[i + 1]?.injectedAt ?? h.endedAt }));
}
