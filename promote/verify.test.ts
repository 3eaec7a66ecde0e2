import { describe, expect, it } from 'vitest';
import { formatVouch, verifiedFlavorOf, verifyCandidate as verifyIn, type Candidate } from './verify.ts';
import { buildRecord, buildRefusal, type RecordedImage, type VerifiedRecord } from './verified-record.ts';
import { REQUIRED_CLAIMS } from './required-claims.ts';

const d = (c: string) => 'sha256:' + c.repeat(64);
const pg: RecordedImage = { name: 'postgres', ref: 'pgha/postgres:local', digest: d('a') };
const pgpool: RecordedImage = { name: 'pgpool', ref: 'pgha/pgpool:local', digest: d('b') };
const proxysql: RecordedImage = { name: 'proxysql', ref: 'pgha/proxysql:local', digest: d('c') };
const run = (runId: string, images: RecordedImage[], flavor: 'pgpool' | 'proxysql') => ({ runId, images, proxyFlavor: flavor, proxyFlavorReason: '', baseImage: '', replicationMode: 'off' as const });
const allClaims = REQUIRED_CLAIMS.map((c) => ({ ...c, tests: 1 }));
const rec = (images: RecordedImage[], flavor: 'pgpool' | 'proxysql', source: VerifiedRecord['source'] = 'npm test', runId = 'r1') =>
  buildRecord(source, run(runId, images, flavor), source === 'chaos' ? { scenarios: ['random'] } : { claims: allClaims }, { commit: 'c', dirty: false });
const verifyCandidate = (records: VerifiedRecord[], c: Candidate) => verifyIn({ records, refused: [], obsolete: [] }, c);
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
  it('refuses a record that lacks a claim required now', () => {
    const partial = { ...rec([pg, pgpool], 'pgpool'), claims: allClaims.filter((c) => c.claim !== 'quorum') };
    const v = verifyCandidate([partial], cand());
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.problems).toEqual(['record of run r1 does not vouch for claim(s) required now: quorum: run `npm test` again']);
  });
  it('says what the run that tested an unverified image fell short of, and that older records vouch for nothing', () => {
    const refused = buildRefusal(run('r9', [pg, pgpool], 'pgpool'), ['replication: did not run (cluster: suites/replication.test.ts)'], { commit: 'c', dirty: false });
    const v = verifyIn({ records: [], refused: [refused], obsolete: [{ file: 'x.json', kind: 'pgha.verified/v1' }] }, cand());
    expect(v.ok).toBe(false);
    if (!v.ok) {
      const text = v.problems.join('\n');
      expect(text).toContain(`run r9 (${refused.createdAt}) tested it and earned no record:\n      - replication: did not run (cluster: suites/replication.test.ts)`);
      expect(text).toMatch(/1 older record\(s\) \(pgha.verified\/v1\) vouch for nothing/);
    }
  });
  it('prints the claims, flavor and replication mode a record vouches for', () => {
    const text = formatVouch(rec([pg, pgpool], 'pgpool'));
    expect(text).toContain('router flavor pgpool, replication mode off');
    expect(text).toContain('claims proven (10): formation (1 test), replication (1 test)');
    expect(text).toContain('chaos smoke (1 test)');
  });
  it('finds the verified flavor of a postgres digest', () => {
    expect(verifiedFlavorOf([rec([pg, pgpool], 'pgpool')], pg.digest)).toBe('pgpool');
    expect(verifiedFlavorOf([rec([pg, pgpool], 'pgpool')], d('0'))).toBeUndefined();
  });
});
