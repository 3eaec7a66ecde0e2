// Acknowledged writes against what the primary holds at the end. Keys are unique per
// write, so a missing key is a lost write and a key seen twice was applied twice.
import type { RunHistory } from '../../model/history.ts';
import { CLAIMS } from '../../model/claims.ts';
import { couldNotCheck, verdict } from './verdict.ts';
import type { Verdict } from '../../model/summary.ts';

/** Without the rows there is nothing to hold the writes against: the claim fails, saying why. */
const noRows = (checker: string, claim: string, h: RunHistory): Verdict =>
  couldNotCheck(checker, claim, `the read-back of rows failed: ${h.rowsError ?? 'no rows in the history'}`);

export type Replication = 'synchronous' | 'asynchronous';

/**
 * Whether asynchronous replication explains a lost write: acknowledged (at `ackedAt`, run
 * time) by a node a fault took out, from asyncLossWindowMs before the fault went in until it
 * healed. The order checker asks the same of a lost order.
 */
export function inAsyncLossWindow(node: string | undefined, ackedAt: number | undefined, faults: RunHistory['faults']): boolean {
  return faults.some(
    (f) =>
      f.status === 'injected' &&
      node !== undefined &&
      ackedAt !== undefined &&
      f.targets.includes(node) &&
      ackedAt >= f.injectedAt - CLAIMS.asyncLossWindowMs &&
      ackedAt <= (f.healedAt ?? Number.POSITIVE_INFINITY),
  );
}

export function noLostWrites(h: RunHistory, replication: Replication = 'synchronous'): Verdict {
  const claim =
    replication === 'synchronous'
      ? 'no acknowledged write is lost, and no write that certainly failed was applied'
      : `no acknowledged write is lost beyond what asynchronous replication may lose (acknowledged by a node a fault took out, at most ${CLAIMS.asyncLossWindowMs} ms before it), and no write that certainly failed was applied`;
  if (!h.rows) return noRows('no-lost-writes', claim, h);
  const present = new Set(h.rows.map((r) => r.id));
  const writes = h.ops.filter((o) => o.kind === 'write');
  const missing = writes.filter((o) => o.outcome === 'ok' && !present.has(o.key));
  const excused = replication === 'asynchronous' ? missing.filter((o) => inAsyncLossWindow(o.node, o.completedAt, h.faults)) : [];
  const lost = missing
    .filter((o) => !excused.includes(o))
    .map((o) => `${o.id} (key ${o.key}) acknowledged, missing${o.strayReply ? `: the acknowledgement was another statement's reply (${o.strayReply})` : ''}`);
  const ghost = writes.filter((o) => o.outcome === 'fail' && present.has(o.key)).map((o) => `${o.id} (key ${o.key}) failed, yet present`);
  const invoked = new Set(writes.map((o) => o.key));
  const phantom = h.rows.filter((r) => !invoked.has(r.id)).map((r) => `row ${r.id} written by no operation`);
  const acked = writes.filter((o) => o.outcome === 'ok').length;
  const unknown = writes.filter((o) => o.outcome === 'unknown');
  const unknownApplied = unknown.filter((o) => present.has(o.key)).length;
  return verdict(
    'no-lost-writes',
    claim,
    [...lost, ...ghost, ...phantom],
    excused.length === 0
      ? `all ${acked} acknowledged writes present; ${unknown.length} unknown (${unknownApplied} of them applied)`
      : `${acked - excused.length} of ${acked} acknowledged writes present; ${excused.length} lost as asynchronous replication may (counted: ${excused.map((o) => `${o.id} on ${o.node}`).join(', ')}); ${unknown.length} unknown (${unknownApplied} of them applied)`,
    (n) => `${lost.length} acknowledged writes lost, ${ghost.length} failed writes applied, ${phantom.length} phantom rows (${n} problems)`,
  );
}

export function noDuplicateWrites(h: RunHistory): Verdict {
  const claim = 'no write is applied twice';
  if (!h.rows) return noRows('no-duplicate-writes', claim, h);
  const seen = new Map<number, number>();
  for (const r of h.rows) seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
  const opOf = new Map(h.ops.filter((o) => o.kind === 'write').map((o) => [o.key, o.id]));
  const dups = [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${opOf.get(k) ?? '?'} (key ${k}) applied ${n} times`);
  return verdict('no-duplicate-writes', claim, dups, `${seen.size} keys, each applied once`, (n) => `${n} writes applied more than once`);
}

/**
 * A router must answer each statement with its own reply. A write acknowledged without the
 * row its INSERT ... RETURNING returns got another statement's reply: a protocol fault, even
 * where the row happens to be there.
 */
export function ownReplies(h: RunHistory): Verdict {
  const stray = h.ops.filter((o) => o.strayReply !== undefined).map((o) => `${o.id} (key ${o.key}) via ${o.via ?? '?'}: ${o.strayReply}`);
  const acked = h.ops.filter((o) => o.kind === 'write' && o.outcome === 'ok').length;
  return verdict('own-replies', "every acknowledged write was answered by its own statement's reply", stray, `all ${acked} acknowledgements carried their row`, (n) => `${n} acknowledgements were another statement's reply`);
}
