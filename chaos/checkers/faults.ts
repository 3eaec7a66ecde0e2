// The schedule as it happened: every scheduled fault went in and came out again. A fault
// that did not go in (its inject failed, or its target could not be resolved), a heal that
// failed, a fault never healed or a clean-up that failed means the run did not test what it
// claims, and fails. A fault this machine cannot make (netem latency) is unsupported: named
// in the summary, never counted as passed, and the run is judged on the rest.
import type { RunHistory } from '../../model/history.ts';
import { verdict } from './verdict.ts';
import type { Verdict } from '../../model/summary.ts';

/**
 * `scheduledFaults`: how many steps the schedule had (undefined: only the recorded events
 * are judged). A step the nemesis never recorded is a fault that did not go in.
 */
export function faultsAsScheduled(h: Pick<RunHistory, 'faults' | 'cleanupFailures'>, scheduledFaults?: number): Verdict {
  const claim = 'every scheduled fault went in and was healed (those this machine cannot make are named unsupported)';
  const name = (f: RunHistory['faults'][number]) => `${f.id} (${f.label})`;
  const notIn = h.faults.filter((f) => f.status === 'error').map((f) => `${name(f)} did not go in: ${f.reason ?? 'no reason given'}`);
  const healFailed = h.faults.flatMap((f) => (f.healFailures ?? []).map((why) => `${name(f)} heal failed: ${why}`));
  const neverHealed = h.faults.filter((f) => f.status === 'injected' && f.healedAt === undefined && !f.healFailures?.length).map((f) => `${name(f)} was never healed`);
  const missing = scheduledFaults !== undefined && h.faults.length < scheduledFaults ? [`${scheduledFaults - h.faults.length} scheduled fault(s) left no record: they did not go in`] : [];
  const cleanup = (h.cleanupFailures ?? []).map((why) => `clean-up after the run failed: ${why}`);
  const unsupported = h.faults.filter((f) => f.status === 'unsupported');
  // A schedule with faults of which this machine could make none tested nothing: the run
  // would read as "survived the scenario" while no fault went in. Each fault stays
  // unsupported (named, it is the machine's, not the cluster's), but the run does not pass:
  // a gate must not promote on a chaos run that made no chaos. A soak schedules none.
  const none = unsupported.length > 0 && unsupported.length === Math.max(h.faults.length, scheduledFaults ?? 0)
    ? [`none of the ${unsupported.length} scheduled fault(s) could be made on this machine, so the scenario tested nothing: ${[...new Set(unsupported.map((f) => f.reason ?? 'no reason given'))].join('; ')}`]
    : [];
  const went = h.faults.filter((f) => f.status === 'injected').length;
  const notes = unsupported.length ? `; ${unsupported.length} unsupported here (${unsupported.map(name).join(', ')})` : '';
  return verdict(
    'faults-as-scheduled',
    claim,
    [...notIn, ...missing, ...healFailed, ...neverHealed, ...cleanup, ...none],
    h.faults.length === 0 && !scheduledFaults ? 'no fault was scheduled; the clean-up left every container running' : `${went} fault(s) went in and were healed${notes}`,
    (n) => `${n} problem(s) with the faults: ${notIn.length + missing.length} did not go in, ${healFailed.length + neverHealed.length} heal(s) failed${cleanup.length ? ', the clean-up failed' : ''}${none.length ? ', no fault could be made here' : ''}`,
  );
}
