// faults-as-scheduled on hand-made fault records: every way a fault can fail to go in or
// come out fails the run with its reason; a fault this machine cannot make stays
// unsupported, named, and the run is judged on the rest.
import { describe, expect, it } from 'vitest';
import type { FaultEvent } from '../../model/history.ts';
import { faultsAsScheduled } from './index.ts';

const kill = (id: string, p: Partial<FaultEvent> = {}): FaultEvent => ({ id, fault: 'kill', targets: ['pg-1'], label: 'kill pg-1 (the primary)', injectedAt: 10_000, healedAt: 25_000, status: 'injected', ...p });
const netem = (id: string): FaultEvent => ({ id, fault: 'latency', targets: ['pg-2'], label: 'latency +100 ms pg-2', injectedAt: 30_000, status: 'unsupported', reason: 'tc netem is not available in this kernel' });

describe('faults as scheduled', () => {
  it('passes when every scheduled fault went in and was healed', () => {
    const v = faultsAsScheduled({ faults: [kill('f1'), kill('f2')] }, 2);
    expect(v).toMatchObject({ status: 'pass', summary: '2 fault(s) went in and were healed' });
  });
  it('fails on a fault whose inject failed, with its reason', () => {
    const v = faultsAsScheduled({ faults: [kill('f1', { status: 'error', reason: '(HTTP code 409) container is not running', healedAt: undefined })] }, 1);
    expect(v.status).toBe('fail');
    expect(v.evidence).toEqual(['f1 (kill pg-1 (the primary)) did not go in: (HTTP code 409) container is not running']);
  });
  it('fails on a scheduled fault whose target could not be resolved, and on one that left no record', () => {
    const unresolved: FaultEvent = { id: 'f1', fault: 'kill', targets: [], label: '10.0 s  kill the primary, heal after 15.0 s', injectedAt: 10_000, status: 'error', reason: 'no single writable primary to aim at' };
    expect(faultsAsScheduled({ faults: [unresolved] }, 1).evidence).toEqual(['f1 (10.0 s  kill the primary, heal after 15.0 s) did not go in: no single writable primary to aim at']);
    expect(faultsAsScheduled({ faults: [kill('f1')] }, 2)).toMatchObject({ status: 'fail', evidence: ['1 scheduled fault(s) left no record: they did not go in'] });
  });
  it('fails on a heal that failed, even when the heal-all on the way out got it out later', () => {
    const v = faultsAsScheduled({ faults: [kill('f1', { healedAt: 41_000, healFailures: ['at 25.0 s: (HTTP code 500) cannot start container'] })] }, 1);
    expect(v.status).toBe('fail');
    expect(v.evidence).toEqual(['f1 (kill pg-1 (the primary)) heal failed: at 25.0 s: (HTTP code 500) cannot start container']);
    expect(v.summary).toBe('1 problem(s) with the faults: 0 did not go in, 1 heal(s) failed');
  });
  it('fails on a fault never healed, and on a clean-up that could not bring every container back', () => {
    expect(faultsAsScheduled({ faults: [kill('f1', { healedAt: undefined })] }, 1).evidence).toEqual(['f1 (kill pg-1 (the primary)) was never healed']);
    const v = faultsAsScheduled({ faults: [], cleanupFailures: ['at 61.0 s, bringing every container back: no such container'] }, 0);
    expect(v).toMatchObject({ status: 'fail', evidence: ['clean-up after the run failed: at 61.0 s, bringing every container back: no such container'] });
    expect(faultsAsScheduled({ faults: [] }, 0)).toMatchObject({ status: 'pass', summary: 'no fault was scheduled; the clean-up left every container running' });
  });
  it('leaves a fault this machine cannot make unsupported and named, judging the run on the rest', () => {
    const v = faultsAsScheduled({ faults: [kill('f1'), netem('f2')] }, 2);
    expect(v).toMatchObject({ status: 'pass', summary: '1 fault(s) went in and were healed; 1 unsupported here (f2 (latency +100 ms pg-2))' });
    // The rest is still judged: a failed heal beside the unsupported fault fails.
    expect(faultsAsScheduled({ faults: [kill('f1', { healFailures: ['at 25.0 s: boom'] }), netem('f2')] }, 2).status).toBe('fail');
  });
  it('does not pass a scenario whose every fault this machine cannot make: it tested nothing', () => {
    const v = faultsAsScheduled({ faults: [netem('f1'), netem('f2')] }, 2);
    expect(v.status).toBe('fail');
    expect(v.evidence).toEqual(['none of the 2 scheduled fault(s) could be made on this machine, so the scenario tested nothing: tc netem is not available in this kernel']);
  });
});
