// `npm run promote` against the Railway fake, with records in a temp dir and a fake push:
// the order of calls, the rollback, the refusals, and that no secret reaches any output.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../model/paths.ts';
import { TOPOLOGY } from '../model/topology.ts';
import { EXIT, promote, type PromoteDeps } from './promote.ts';
import { startRailwayFake, type RailwayFake } from './railway-fake.ts';
import { repoFor, tagFor } from './registry.ts';
import { REQUIRED_CLAIMS } from './required-claims.ts';
import { buildRecord, buildRefusal, writeRecord, writeRefusal, type RecordedImage, type RunImages } from './verified-record.ts';

const TOKEN = 'tok-' + 'x'.repeat(30);
const REG_PASSWORD = 'regpass-' + 'y'.repeat(20);
const APP_PASSWORD = 'app-secret-' + 'z'.repeat(20);
const d = (c: string) => 'sha256:' + c.repeat(64);
const LOCAL: Record<string, string> = { 'pgha/postgres:local': d('a'), 'pgha/pgpool:local': d('b'), 'pgha/postgres:new': d('c') };
const pinned = (registry: string, img: RecordedImage) =>
  `${repoFor(registry, img.name)}@sha256:${createHash('sha256').update(img.digest).digest('hex')}`;

let fake: RailwayFake;
let records: string;
let out: string[];
let pushes: RecordedImage[][];

function deps(env: Record<string, string> = {}): PromoteDeps {
  return {
    env: {
      PGHA_VERIFIED_DIR: records,
      REGISTRY: 'registry.example:5000',
      REGISTRY_USERNAME: 'ci',
      REGISTRY_PASSWORD: REG_PASSWORD,
      RAILWAY_API_TOKEN: TOKEN,
      RAILWAY_API_URL: fake.url,
      RAILWAY_PROJECT_ID: 'proj',
      RAILWAY_ENVIRONMENT_ID: 'env',
      APP_PASSWORD,
      ...env,
    },
    out: (s) => out.push(s),
    err: (s) => out.push(s),
    imageId: async (ref) => LOCAL[ref],
    push: async (registry, images) => {
      pushes.push([...images]);
      return images.map((image) => ({ image, tag: tagFor(registry, image), byDigest: pinned(registry, image) }));
    },
    pollIntervalMs: 1,
    deployTimeoutMs: 2_000,
  };
}

const runImages = (postgresDigest: string, flavor: 'pgpool' | 'proxysql' = 'pgpool'): RunImages => ({
  runId: `run-${postgresDigest.slice(7, 10)}`,
  images: [
    { name: 'postgres', ref: 'pgha/postgres:local', digest: postgresDigest },
    { name: 'pgpool', ref: 'pgha/pgpool:local', digest: d('b') },
  ],
  proxyFlavor: flavor,
  proxyFlavorReason: '',
  baseImage: '',
  replicationMode: 'off',
});
const COMMIT = { commit: 'abc', dirty: false };
const verify = (postgresDigest: string, flavor: 'pgpool' | 'proxysql' = 'pgpool') =>
  writeRecord(buildRecord('npm test', runImages(postgresDigest, flavor), { claims: REQUIRED_CLAIMS.map((c) => ({ ...c, tests: 2 })) }, COMMIT), records);
/** What the reporter leaves after a run that earned no record. */
const refuse = (postgresDigest: string, problems: string[]) => writeRefusal(buildRefusal(runImages(postgresDigest), problems, COMMIT), records);

const mutations = () => fake.calls.filter((c) => c.op === 'mutation');
const trace = () =>
  mutations().map((c) => {
    const v = c.variables as { serviceId?: string; input?: { name?: string; serviceId?: string } };
    const sid = v.serviceId ?? v.input?.serviceId;
    const name = v.input?.name ?? [...fake.services.values()].find((s) => s.id === sid)?.name ?? 'shared';
    return `${c.field} ${name}`;
  });
const allOutput = () => out.join('\n') + JSON.stringify(fake.calls.filter((c) => c.field !== 'variableCollectionUpsert' || (c.variables as { input: { serviceId?: string } }).input.serviceId));

beforeEach(async () => {
  fake = await startRailwayFake({ token: TOKEN, projectId: 'proj', environmentId: 'env', pollsBeforeVerdict: 2 });
  records = mkdtempSync(join(tmpdir(), 'pgha-verified-'));
  out = [];
  pushes = [];
});
afterEach(() => fake.close());

describe('promote: first deploy', () => {
  it('creates every service in the modelled order, each deployed and waited for before the next', async () => {
    verify(d('a'));
    expect(await promote(['--apply'], deps())).toBe(EXIT.ok);
    const perService = (n: string) => [`serviceCreate ${n}`, `variableCollectionUpsert ${n}`, ...(n.startsWith('pg-') ? [`volumeCreate ${n}`] : []), `serviceInstanceUpdate ${n}`, `serviceInstanceDeployV2 ${n}`];
    expect(trace()).toEqual(['variableCollectionUpsert shared', ...['pg-1', 'witness', 'pg-2', 'pg-3', 'pg-4', 'proxysql', 'proxysql-2'].flatMap(perService)]);
    // Each deployment reached SUCCESS (polled) before the next service's first call.
    const fields = fake.calls.map((c) => c.field);
    const deploys = fields.flatMap((f, i) => (f === 'serviceInstanceDeployV2' ? [i] : []));
    for (const [k, i] of deploys.entries()) {
      const next = deploys[k + 1] ?? fields.length;
      expect(fields.slice(i + 1, next).filter((f) => f === 'deployment').length).toBeGreaterThanOrEqual(3);
    }
    expect(fake.services.get('pg-1')!.image).toBe(pinned('registry.example:5000', { name: 'postgres', ref: '', digest: d('a') }));
    expect(fake.services.get('proxysql')!.image).toMatch(/pgha\/pgpool@sha256:/);
    expect(fake.services.get('pg-2')!.volumes).toEqual(['/var/lib/postgresql/data']);
    expect(fake.services.get('witness')!.volumes).toEqual([]);
    expect(fake.services.get('pg-2')!.variables.POSTGRES_PASSWORD).toBe('${{shared.POSTGRES_PASSWORD}}');
    expect(Object.keys(fake.shared).sort()).toEqual(['APP_PASSWORD', 'POSTGRES_PASSWORD', 'PROXYSQL_ADMIN_PASSWORD', 'REPMGR_PASSWORD']);
    expect(fake.shared.APP_PASSWORD).toBe(APP_PASSWORD);
    expect(pushes).toHaveLength(1);
  });

  it('stops at a failed deployment; a new service has nothing to roll back to', async () => {
    verify(d('a'));
    fake.failNextDeploy('pg-2', 'CRASHED');
    expect(await promote(['--apply'], deps())).toBe(EXIT.failed);
    expect(trace().at(-1)).toBe('serviceInstanceDeployV2 pg-2');
    expect(fake.services.has('pg-3')).toBe(false);
    expect(out.join('\n')).toMatch(/pg-2: FAILED \(CRASHED\)[\s\S]*nothing to roll back to[\s\S]*stopped at pg-2/);
  });
});

describe('promote: upgrade of a running cluster', () => {
  const OLD = 'registry.example:5000/pgha/postgres@sha256:' + '0'.repeat(64);
  const OLD_ROUTER = 'registry.example:5000/pgha/pgpool@sha256:' + '9'.repeat(64);
  beforeEach(() => {
    for (const n of TOPOLOGY) fake.seedService(n.name, n.kind === 'router' ? OLD_ROUTER : OLD);
    for (const k of ['POSTGRES_PASSWORD', 'REPMGR_PASSWORD', 'APP_PASSWORD', 'PROXYSQL_ADMIN_PASSWORD']) fake.shared[k] = 'existing';
  });

  it('upgrades the standbys, then pauses for the switchover (exit 3) and says what to run', async () => {
    verify(d('a'));
    expect(await promote(['--apply'], deps())).toBe(EXIT.paused);
    expect(trace().filter((t) => t.startsWith('serviceInstanceDeployV2'))).toEqual(['serviceInstanceDeployV2 pg-2', 'serviceInstanceDeployV2 pg-3', 'serviceInstanceDeployV2 pg-4']);
    expect(fake.services.get('pg-1')!.image).toBe(OLD);
    expect(out.join('\n')).toContain('repmgr -f /etc/repmgr/repmgr.conf standby switchover --siblings-follow');
    expect(fake.shared.POSTGRES_PASSWORD).toBe('existing');
  });

  it('after --switchover-done, leaves the upgraded standbys alone and does the old primary, witness, proxies one at a time', async () => {
    verify(d('a'));
    await promote(['--apply'], deps());
    fake.calls.length = 0;
    expect(await promote(['--apply', '--switchover-done'], deps())).toBe(EXIT.ok);
    expect(trace().filter((t) => t.startsWith('serviceInstanceDeployV2'))).toEqual([
      'serviceInstanceDeployV2 pg-1',
      'serviceInstanceDeployV2 witness',
      'serviceInstanceDeployV2 proxysql',
      'serviceInstanceDeployV2 proxysql-2',
    ]);
    expect(trace().some((t) => t.startsWith('serviceCreate') || t.startsWith('volumeCreate'))).toBe(false);
    expect(out.join('\n')).toMatch(/pg-2: unchanged/);
  });

  it('a failed deployment stops the rollout and points that service back at its previous image', async () => {
    verify(d('a'));
    fake.failNextDeploy('pg-3', 'FAILED');
    expect(await promote(['--apply'], deps())).toBe(EXIT.failed);
    expect(trace().slice(-4)).toEqual(['serviceInstanceUpdate pg-3', 'serviceInstanceDeployV2 pg-3', 'serviceInstanceUpdate pg-3', 'serviceInstanceDeployV2 pg-3']);
    expect(fake.services.get('pg-3')!.image).toBe(OLD);
    expect(fake.services.get('pg-2')!.image).not.toBe(OLD);
    expect(fake.services.get('pg-4')!.image).toBe(OLD);
    const text = out.join('\n');
    expect(text).toMatch(/pg-2: changed .*0{64} -> /);
    expect(text).toContain(`pg-3: rolled back to ${OLD} (SUCCESS)`);
    expect(text).toContain('stopped at pg-3: deployment FAILED');
  });
});

describe('promote: refusals leave nothing done (exit 2)', () => {
  it('refuses the images of a run that proved only some claims, naming what it missed', async () => {
    refuse(d('a'), ['replication: did not run (cluster: suites/replication.test.ts)', 'failover: skipped in cluster: suites/failover.test.ts: "KNOWN ISSUE"']);
    expect(await promote([], deps())).toBe(EXIT.refused);
    const text = out.join('\n');
    expect(text).toContain(`image postgres pgha/postgres:local ${d('a')} is in no passing record`);
    expect(text).toContain('- replication: did not run (cluster: suites/replication.test.ts)');
    expect(text).toContain('- failover: skipped in cluster: suites/failover.test.ts: "KNOWN ISSUE"');
    expect(fake.calls).toEqual([]);
  });
  it('refuses on a v1 record and says why it vouches for nothing', async () => {
    writeFileSync(join(records, 'old.json'), JSON.stringify({ ...buildRecord('npm test', runImages(d('a')), {}, COMMIT), kind: 'pgha.verified/v1' }));
    expect(await promote([], deps())).toBe(EXIT.refused);
    expect(out.join('\n')).toMatch(/older record\(s\) \(pgha.verified\/v1\) vouch for nothing/);
  });
  it('refuses an unverified digest, naming image and digest, before any push or call', async () => {
    verify(d('a'));
    expect(await promote(['--apply', '--postgres-image', 'pgha/postgres:new'], deps())).toBe(EXIT.refused);
    expect(out.join('\n')).toContain(`image postgres pgha/postgres:new ${d('c')} is in no passing record`);
    expect(fake.calls).toEqual([]);
    expect(pushes).toEqual([]);
  });
  it('refuses a flavor that was not verified', async () => {
    verify(d('a'), 'pgpool');
    LOCAL['pgha/proxysql:local'] = d('e');
    expect(await promote(['--apply', '--proxy', 'proxysql'], deps())).toBe(EXIT.refused);
    expect(out.join('\n')).toMatch(/proxysql/);
    expect(fake.calls).toEqual([]);
  });
  it('refuses --apply without a token', async () => {
    verify(d('a'));
    expect(await promote(['--apply'], deps({ RAILWAY_API_TOKEN: '' }))).toBe(EXIT.refused);
    expect(out.join('\n')).toContain('--apply needs RAILWAY_API_TOKEN');
    expect(pushes).toEqual([]);
  });
  it('refuses an unknown flag', async () => {
    expect(await promote(['--aply'], deps())).toBe(EXIT.refused);
    expect(out[0]).toContain('unknown flag --aply');
  });
  it('the real CLI exits 2 on an unknown flag and on --apply without a token', () => {
    const cli = join(REPO_ROOT, 'bin', 'promote.ts');
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, PGHA_VERIFIED_DIR: records };
    const a = spawnSync(process.execPath, [cli, '--bogus'], { env, encoding: 'utf8' });
    expect(a.status).toBe(2);
    expect(a.stderr).toContain('unknown flag --bogus');
    const b = spawnSync(process.execPath, [cli, '--apply'], { env, encoding: 'utf8' });
    expect(b.status).toBe(2);
    expect(b.stderr).toContain('--apply needs RAILWAY_API_TOKEN');
  });
});

describe('promote: dry run and secrets', () => {
  it('a dry run reads Railway but changes nothing and pushes nothing', async () => {
    verify(d('a'));
    expect(await promote([], deps())).toBe(EXIT.ok);
    expect(mutations()).toEqual([]);
    expect(pushes).toEqual([]);
    expect(out.join('\n')).toMatch(/claims proven \(9\): formation \(2 tests\), replication[\s\S]*chaos smoke \(2 tests\)[\s\S]*plan: first-deploy[\s\S]*dry run: nothing changed/);
  });
  it('works with a project token too (Project-Access-Token)', async () => {
    verify(d('a'));
    expect(await promote([], deps({ RAILWAY_API_TOKEN: '', RAILWAY_TOKEN: TOKEN }))).toBe(EXIT.ok);
    expect(fake.calls.length).toBeGreaterThan(0);
  });
  it('no token, registry password or secret value appears in any output, plan or summary', async () => {
    verify(d('a'));
    fake.failNextDeploy('pg-1');
    await promote([], deps());
    await promote(['--apply'], deps());
    await promote(['--apply', '--bogus'], deps());
    const text = allOutput();
    for (const secret of [TOKEN, REG_PASSWORD, APP_PASSWORD, ...Object.values(fake.shared)]) expect(text).not.toContain(secret);
    expect(text).toContain('${{shared.APP_PASSWORD}}');
  });
  it('a Railway error names the operation, never the token', async () => {
    verify(d('a'));
    expect(await promote([], deps({ RAILWAY_API_TOKEN: 'wrong-token-123456' }))).toBe(EXIT.failed);
    expect(out.join('\n')).toMatch(/Railway projectServices: Not Authorized/);
    expect(out.join('\n')).not.toContain('wrong-token-123456');
  });
});
