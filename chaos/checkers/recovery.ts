// The three clocks of a failover, per fault, measured from its injection:
//   database: a primary is writable again (after the old one stopped being writable),
//   router:   each router carries a write to that primary,
//   client:   the first good write after the last failed one.
// The budget in the claims is the client's. A fourth clock is read back from the rows
// (CloudNativePG's way): the gap between the last row on the old timeline and the first
// on the new one, which the harness's own retries can't fool.
import type { NodeName } from '../../model/topology.ts';
import type { Op, WriteRow } from '../../load/workload/index.ts';
import type { RunHistory } from '../../model/history.ts';
import { couldNotCheck, verdict } from './verdict.ts';
import { faultWindows } from './windows.ts';
import { CLAIMS, toMs } from '../../model/claims.ts';
import type { RecoveryClocks, TimelineSwitch, Verdict } from '../../model/summary.ts';

export const RECOVERY_BUDGET_MS = toMs(CLAIMS.failoverBudgetSecs);

const writes = (ops: readonly Op[], from: number, to: number) =>
  ops.filter((o) => o.kind === 'write' && o.invokedAt >= from && o.invokedAt < to).toSorted((a, b) => a.invokedAt - b.invokedAt);

export function recoveryClocks(h: RunHistory): RecoveryClocks[] {
  const routerNames = [...new Set(h.ops.map((o) => o.via).filter((v): v is NodeName => !!v))].sort();
  return faultWindows(h).map(({ fault, from, to }) => {
    const before = h.samples.filter((s) => s.at < from).toSorted((a, b) => b.at - a.at);
    const primaryBefore = before.find((s) => s.state === 'writable')?.node;
    const during = h.samples.filter((s) => s.at >= from && s.at < to).toSorted((a, b) => a.at - b.at);
    const lostAt = during.find((s) => s.node === primaryBefore && s.state !== 'writable')?.at;
    let databaseMs: number | null = 0;
    let primaryAfter = primaryBefore;
    if (primaryBefore === undefined || lostAt !== undefined) {
      const back = during.find((s) => s.state === 'writable' && s.at > (lostAt ?? from));
      databaseMs = back ? back.at - from : null;
      primaryAfter = back?.node;
    }
    const ws = writes(h.ops, from, to);
    // The client clock is the host-list clients'; router probes are pinned to one router.
    const clients = ws.filter((o) => !o.pinnedTo);
    // A failure belongs to the fault in force when it happened: a write sent just before
    // the next fault and failed by it (a killed router resets it) is that fault's, not a
    // sign this one never healed; one sent before this fault and failed after it is this one's.
    const bad = h.ops
      .filter((o) => o.kind === 'write' && !o.pinnedTo && o.outcome !== 'ok' && o.completedAt >= from && o.completedAt < to)
      .toSorted((a, b) => a.completedAt - b.completedAt);
    const lastBad = bad[bad.length - 1];
    let clientMs: number | null = 0;
    if (lastBad) {
      const good = clients.find((o) => o.outcome === 'ok' && o.invokedAt >= lastBad.completedAt);
      clientMs = good ? good.completedAt - from : null;
    }
    const routerMs: RecoveryClocks['routerMs'] = {};
    for (const r of routerNames) {
      const first = ws.find((o) => o.via === r && o.outcome === 'ok' && (primaryAfter === undefined || o.node === primaryAfter));
      routerMs[r] = first ? first.completedAt - from : null;
    }
    return { faultId: fault.id, label: fault.label, primaryBefore, primaryAfter, databaseMs, routerMs, clientMs, failedWrites: bad.length };
  });
}

export function recoveryWithinBudget(h: RunHistory, budgetMs = RECOVERY_BUDGET_MS): Verdict {
  const claim = `clients write again within ${budgetMs / 1000} s of every fault`;
  const clocks = recoveryClocks(h);
  if (clocks.length === 0) {
    // Nothing went in. Where every fault was one this machine cannot make, there is nothing
    // to recover from: unsupported, named (faults-as-scheduled says the schedule made none).
    // Otherwise the recovery could not be checked, and that fails.
    if (h.faults.length > 0 && h.faults.every((f) => f.status === 'unsupported')) {
      const why = [...new Set(h.faults.map((f) => f.reason ?? 'no reason given'))].join('; ');
      return { checker: 'recovery-within-budget', claim, status: 'unsupported', summary: `every fault was unsupported here, nothing to recover from: ${why}`, evidence: h.faults.map((f) => `${f.id} (${f.label})`) };
    }
    return couldNotCheck('recovery-within-budget', claim, h.faults.length ? 'no fault went in' : 'no fault was injected');
  }
  const over = clocks
    .filter((c) => c.clientMs === null || c.clientMs > budgetMs)
    .map((c) => `${c.faultId} (${c.label}): ${c.clientMs === null ? 'writes never resumed' : `${(c.clientMs / 1000).toFixed(1)} s`}`);
  const worst = Math.max(...clocks.map((c) => c.clientMs ?? Infinity));
  return verdict(
    'recovery-within-budget',
    claim,
    over,
    `${clocks.length} fault(s), slowest client recovery ${(worst / 1000).toFixed(1)} s`,
    (n) => `${n} fault(s) over the ${budgetMs / 1000} s budget`,
  );
}

/** Each timeline change in the rows, with the write gap around it, by the servers' own clocks. */
export function timelineSwitches(rows: readonly WriteRow[]): TimelineSwitch[] {
  const sorted = rows.toSorted((a, b) => a.committedAt - b.committedAt || a.id - b.id);
  const out: TimelineSwitch[] = [];
  let maxTl = sorted[0]?.timeline ?? 0;
  let lastOnMax = sorted[0]?.committedAt ?? 0;
  for (const r of sorted) {
    if (r.timeline > maxTl) {
      out.push({ fromTimeline: maxTl, toTimeline: r.timeline, lastOldAt: lastOnMax, firstNewAt: r.committedAt, gapMs: r.committedAt - lastOnMax });
      maxTl = r.timeline;
    }
    if (r.timeline === maxTl) lastOnMax = r.committedAt;
  }
  return out;
}
