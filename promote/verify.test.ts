import { describe, expect, it } from 'vitest';
import { verifiedFlavorOf, verifyCandidate, type Candidate } from './verify.ts';
import { buildRecord, type RecordedImage, type VerifiedRecord } from './verified-record.ts';

const d = (c: string) => 'sha256:' + c.repeat(64);
const pg: RecordedImage = { name: 'postgres', ref: 'pgha/postgres:local', digest: d('a') };
const pgpool: RecordedImage = { name: 'pgpool', ref: 'pgha/pgpool:local', digest: d('b') };
const proxysql: RecordedImage = { name: 'proxysql', ref: 'pgha/proxysql:local', digest: d('c') };
const rec = (images: RecordedImage[], flavor: 'pgpool' | 'proxysql', source: VerifiedRecord['source'] = 'npm test', runId = 'r1') =>
  buildRecord(source, { runId, images, proxyFlavor: flavor, proxyFlavorReason: '', baseImage: '' }, { scenarios: source === 'chaos' ? ['random'] : [] }, { commit: 'c', dirty: false });
const cand = (over: Partial<Candidate> = {}): Candidate => ({ postgres: pg, router: pgpool, flavor: 'pgpool', ...over });

describe('verifyCandidate', () => {
  it('passes the pair a passing run tested, with any chaos record for it', () => {
    const v = verifyCandidate([rec([pg, pgpool], 'pgpool'), rec([pg, pgpool], 'pgpool', 'chaos', 'r2')], cand());
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.chaos.map((c) => c.runId)).toEqual(['r2']);
  });
  it('refuses an unverified digest, naming the image and the digest', () => {
    const other = { ...pg, digest: d('f') };
    const v = verifyCandidate([rec([pg, pgpool], 'pgpool')], cand({ postgres: other }));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.problems.join('\n')).toContain(`image postgres pgha/postgres:local ${d('f')} is in no passing record`);
  });
  it('refuses a flavor that was not the one verified', () => {
    const v = verifyCandidate([rec([pg, pgpool], 'pgpool'), rec([pg, proxysql], 'pgpool', 'npm test', 'odd')], cand({ router: proxysql, flavor: 'proxysql' }));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.problems.join('\n')).toMatch(/proxy flavor proxysql was not the one verified with postgres .* \(verified: pgpool\)/);
  });
  it('refuses a router image of another flavor', () => {
    const v = verifyCandidate([rec([pg, pgpool], 'pgpool')], cand({ flavor: 'proxysql' }));
    expect(v.ok).toBe(false);
  });
  it('refuses two images that passed, but never together', () => {
    const pgpool2 = { ...pgpool, digest: d('e') };
    const v = verifyCandidate([rec([pg, pgpool], 'pgpool', 'npm test', 'r1'), rec([{ ...pg, digest: d('9') }, pgpool2], 'pgpool', 'npm test', 'r2')], cand({ router: pgpool2 }));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.problems.join('\n')).toContain('never in the same run');
  });
  it('does not take a chaos record alone as a verification', () => {
    expect(verifyCandidate([rec([pg, pgpool], 'pgpool', 'chaos')], cand()).ok).toBe(false);
  });
  it('finds the verified flavor of a postgres digest', () => {
    expect(verifiedFlavorOf([rec([pg, pgpool], 'pgpool')], pg.digest)).toBe('pgpool');
    expect(verifiedFlavorOf([rec([pg, pgpool], 'pgpool')], d('0'))).toBeUndefined();
  });
});
