// Acknowledged writes against what the primary holds at the end. Keys are unique per
// write, so a missing key is a lost write and a key seen twice was applied twice.
import type { RunHistory } from '../../model/history.ts';
import { couldNotCheck, verdict } from './verdict.ts';
import type { Verdict } from '../../model/summary.ts';

/** Without the rows there is nothing to hold the writes against: the claim fails, saying why. */
const noRows = (checker: string, claim: string, h: RunHistory): Verdict =>
  couldNotCheck(checker, claim, `the read-back of rows failed: ${h.rowsError ?? 'no rows in the history'}`);

export function noLostWrites(h: RunHistory): Verdict {
  const claim = 'no acknowledged write is lost, and no write that certainly failed was applied';
  if (!h.rows) return noRows('no-lost-writes', claim, h);
  const present = new Set(h.rows.map((r) => r.id));
  const writes = h.ops.filter((o) => o.kind === 'write');
  const lost = writes.filter((o) => o.outcome === 'ok' && !present.has(o.key)).map((o) => `${o.id} (key ${o.key}) acknowledged, missing`);
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
    `all ${acked} acknowledged writes present; ${unknown.length} unknown (${unknownApplied} of them applied)`,
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
