// `npm run promote` against the Railway fake, with records in a temp dir and a fake push:
// the order of calls, the rollback, the refusals, and that no secret reaches any output.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../model/paths.ts';
import { TOPOLOGY } from '../model/topology.ts';
import { EXIT, promote, type PromoteDeps } from './promote.ts';
import { SCRIPTS, startRailwayFake, type DeployScript, type FakeEnvironment, type RailwayFake } from './railway-fake.ts';
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

/**
 * A crash or restart scripted two polls after the ready line lands inside the settle period
 * only if two polls take less than it: 100 ms did not hold once on a busy machine.
 */
const CRASH_INSIDE_SETTLE = { deployTimeoutMs: 5000, settleMs: 2000 } as const;

function deps(env: Record<string, string> = {}, timing: Partial<Pick<PromoteDeps, 'deployTimeoutMs' | 'settleMs'>> = {}): PromoteDeps {
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
    deployTimeoutMs: 5_000,
    // Short, so a rollout of seven services stays quick; a test whose script crashes or
    // restarts a node after its ready line passes CRASH_INSIDE_SETTLE.
    settleMs: 100,
    ...timing,
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
const serviceName = (sid: unknown) => [...fake.services.values()].find((s) => s.id === sid)?.name;
const trace = () =>
  mutations().map((c) => {
    const v = c.variables as { serviceId?: string; input?: { name?: string; serviceId?: string } };
    const name = v.input?.name ?? serviceName(v.serviceId ?? v.input?.serviceId) ?? (c.field === 'deploymentRollback' ? 'deployment' : 'shared');
    return `${c.field} ${name}`;
  });
const deploysOf = () => trace().filter((t) => t.startsWith('serviceInstanceDeployV2') || t.startsWith('deploymentRollback'));
/** Everything written, and what was sent to Railway except what Railway must be given: shared values, registry credentials. */
const allOutput = () =>
  out.join('\n') +
  JSON.stringify(
    fake.calls
      .filter((c) => c.field !== 'variableCollectionUpsert' || (c.variables as { input: { serviceId?: string } }).input.serviceId)
      .map((c) => JSON.stringify(c.variables).replace(/"registryCredentials":\{[^}]*\}/, '')),
  );
const PG_IMAGE = pinned('registry.example:5000', { name: 'postgres', ref: '', digest: d('a') });

beforeEach(async () => {
  fake = await startRailwayFake({
    token: TOKEN,
    projectId: 'proj',
    environmentId: 'env',
    privateRegistry: { host: 'registry.example:5000', username: 'ci', password: REG_PASSWORD },
  });
  records = mkdtempSync(join(tmpdir(), 'pgha-verified-'));
  out = [];
  pushes = [];
});
afterEach(async () => {
  // Every request the client sent validated against Railway's schema and was accepted.
  expect(fake.calls.filter((c) => c.errors)).toEqual([]);
  await fake.close();
  rmSync(records, { recursive: true, force: true });
});

describe('promote: first deploy', () => {
  it('creates every service in the modelled order, each ready (its log line, then settled) before the next', async () => {
    verify(d('a'));
    expect(await promote(['--apply'], deps())).toBe(EXIT.ok);
    const perService = (n: string) => [`serviceCreate ${n}`, `variableCollectionUpsert ${n}`, ...(n.startsWith('pg-') ? [`volumeCreate ${n}`] : []), `serviceInstanceUpdate ${n}`, `serviceInstanceDeployV2 ${n}`];
    expect(trace()).toEqual(['variableCollectionUpsert shared', ...['pg-1', 'witness', 'pg-2', 'pg-3', 'pg-4', 'proxysql', 'proxysql-2'].flatMap(perService)]);
    // Between one deploy and the next: its status polled past SUCCESS and its logs read.
    const fields = fake.calls.map((c) => c.field);
    const deploys = fields.flatMap((f, i) => (f === 'serviceInstanceDeployV2' ? [i] : []));
    for (const [k, i] of deploys.entries()) {
      const between = fields.slice(i + 1, deploys[k + 1] ?? fields.length);
      expect(between.filter((f) => f === 'deployment').length).toBeGreaterThanOrEqual(5);
      expect(between).toContain('deploymentLogs');
    }
    expect(fake.instance('pg-1')!.image).toBe(PG_IMAGE);
    expect(fake.instance('proxysql')!.image).toMatch(/pgha\/pgpool@sha256:/);
    expect(fake.instance('pg-2')!.volumes).toEqual(['/var/lib/postgresql/data']);
    expect(fake.instance('pg-2')!.variables.PGDATA).toBe('/var/lib/postgresql/data/pgdata');
    expect(fake.instance('pg-2')).toMatchObject({ sleepApplication: false, drainingSeconds: 30 });
    expect(fake.instance('witness')!.volumes).toEqual([]);
    expect(fake.instance('pg-2')!.variables.POSTGRES_PASSWORD).toBe('${{shared.POSTGRES_PASSWORD}}');
    expect(Object.keys(fake.shared).sort()).toEqual(['APP_PASSWORD', 'POSTGRES_PASSWORD', 'PROXYSQL_ADMIN_PASSWORD', 'REPMGR_PASSWORD']);
    expect(fake.shared.APP_PASSWORD).toBe(APP_PASSWORD);
    expect(pushes).toHaveLength(1);
  });

  it('sends the registry credentials with every image change, and never prints them', async () => {
    verify(d('a'));
    expect(await promote(['--apply'], deps())).toBe(EXIT.ok);
    for (const n of TOPOLOGY) expect(fake.instance(n.name)!.registryCredentials, n.name).toEqual({ username: 'ci', password: REG_PASSWORD });
    expect(out.join('\n')).toContain('registryCredentials: sent with every image change (username ci');
    expect(out.join('\n')).not.toContain(REG_PASSWORD);
  });

  it('without credentials Railway cannot pull a private image: the first node fails and the rollout stops', async () => {
    verify(d('a'));
    expect(await promote(['--apply'], deps({ REGISTRY_USERNAME: '', REGISTRY_PASSWORD: '' }))).toBe(EXIT.failed);
    expect(out.join('\n')).toMatch(/pg-1: FAILED \(FAILED: the deployment failed\)[\s\S]*stopped at pg-1/);
    expect(fake.services.has('witness')).toBe(false);
  });

  it('stops when a new node crashes after SUCCESS; a new service has nothing to roll back to', async () => {
    verify(d('a'));
    fake.scriptNextDeploy('pg-2', SCRIPTS.crashAfterReady);
    expect(await promote(['--apply'], deps({}, CRASH_INSIDE_SETTLE))).toBe(EXIT.failed);
    expect(trace().at(-1)).toBe('serviceInstanceDeployV2 pg-2');
    expect(fake.services.has('pg-3')).toBe(false);
    expect(out.join('\n')).toMatch(/pg-2: FAILED \(CRASHED: the container exited, \d+ s after its ready line\)[\s\S]*nothing to roll back to[\s\S]*stopped at pg-2/);
  });

  it('a resumed first deploy creates the volume of a data node created before it stopped', async () => {
    verify(d('a'));
    fake.seedService('pg-1', null, { volume: null });
    expect(await promote(['--apply'], deps())).toBe(EXIT.ok);
    expect(trace().slice(1, 5)).toEqual(['variableCollectionUpsert pg-1', 'volumeCreate pg-1', 'serviceInstanceUpdate pg-1', 'serviceInstanceDeployV2 pg-1']);
    expect(fake.instance('pg-1')!.volumes).toEqual(['/var/lib/postgresql/data']);
  });
});

describe('promote: environments', () => {
  const envs = (...more: FakeEnvironment[]): FakeEnvironment[] => [{ id: 'env', name: 'production' }, ...more];
  const restart = async (environments: FakeEnvironment[]) => {
    await fake.close();
    fake = await startRailwayFake({ token: TOKEN, projectId: 'proj', environmentId: 'env', environments });
  };

  it('refuses, changing nothing, a non-fork environment beside another non-fork one (Railway would change both)', async () => {
    await restart(envs({ id: 'stg', name: 'staging' }));
    verify(d('a'));
    expect(await promote(['--apply'], deps())).toBe(EXIT.refused);
    expect(out.join('\n')).toContain('staging (stg) would change too');
    expect(mutations()).toEqual([]);
    expect(pushes).toEqual([]);
  });
  it('deploys into a fork, and nothing reaches production or staging', async () => {
    await restart(envs({ id: 'stg', name: 'staging' }, { id: 'fork', name: 'production-rollout', forkOf: 'env' }));
    verify(d('a'));
    expect(await promote(['--apply'], deps({ RAILWAY_ENVIRONMENT_ID: 'fork' }))).toBe(EXIT.ok);
    expect(out.join('\n')).toContain('environment: production-rollout (fork), a fork of production');
    for (const n of TOPOLOGY) {
      expect(fake.instance(n.name, 'fork')!.image, n.name).toBeTruthy();
      expect(fake.instance(n.name, 'env')).toBeUndefined();
      expect(fake.instance(n.name, 'stg')).toBeUndefined();
    }
  });
  it("deploys into the project's only non-fork environment, leaving its fork alone", async () => {
    await restart(envs({ id: 'fork', name: 'preview', forkOf: 'env' }));
    verify(d('a'));
    expect(await promote(['--apply'], deps())).toBe(EXIT.ok);
    expect(fake.instance('pg-1', 'env')!.image).toBe(PG_IMAGE);
    expect(fake.instance('pg-1', 'fork')).toBeUndefined();
  });
});

describe('promote: upgrade of a running cluster', () => {
  const OLD = 'registry.example:5000/pgha/postgres@sha256:' + '0'.repeat(64);
  const OLD_ROUTER = 'registry.example:5000/pgha/pgpool@sha256:' + '9'.repeat(64);
  beforeEach(() => {
    for (const n of TOPOLOGY) fake.seedService(n.name, n.kind === 'router' ? OLD_ROUTER : OLD);
    for (const k of ['POSTGRES_PASSWORD', 'REPMGR_PASSWORD', 'APP_PASSWORD', 'PROXYSQL_ADMIN_PASSWORD']) fake.shared[k] = 'existing';
  });

  it('needs no SSH: standbys first, then the primary, the witness, one proxy at a time, each ready before the next', async () => {
    verify(d('a'));
    expect(await promote(['--apply'], deps())).toBe(EXIT.ok);
    expect(deploysOf()).toEqual(['pg-2', 'pg-3', 'pg-4', 'pg-1', 'witness', 'proxysql', 'proxysql-2'].map((n) => `serviceInstanceDeployV2 ${n}`));
    expect(trace().some((t) => t.startsWith('serviceCreate') || t.startsWith('volumeCreate'))).toBe(false);
    expect(out.join('\n')).not.toMatch(/switchover/i);
    expect(out.join('\n')).toMatch(/pg-1: serviceInstanceUpdate[^\n]*\n\s+the primary, after every standby is ready/);
    expect(fake.shared.POSTGRES_PASSWORD).toBe('existing');
  });

  it('rolls back a node that crashes after SUCCESS (and its ready line), and stops there', async () => {
    verify(d('a'));
    fake.scriptNextDeploy('pg-2', SCRIPTS.crashAfterReady);
    expect(await promote(['--apply'], deps({}, CRASH_INSIDE_SETTLE))).toBe(EXIT.failed);
    expect(trace().slice(-3)).toEqual(['serviceInstanceDeployV2 pg-2', 'serviceInstanceUpdate pg-2', 'deploymentRollback deployment']);
    expect(fake.instance('pg-2')!.image).toBe(OLD);
    expect(fake.instance('pg-3')!.image).toBe(OLD);
    const text = out.join('\n');
    expect(text).toContain(`pg-2: rolled back to ${OLD} (ready)`);
    expect(text).toMatch(/stopped at pg-2: deployment CRASHED: the container exited/);
  });

  it.each<[string, DeployScript, RegExp, Partial<Pick<PromoteDeps, 'deployTimeoutMs' | 'settleMs'>>]>([
    ['never logs its ready line after SUCCESS', SCRIPTS.neverReady, /TIMED OUT \(last SUCCESS\): no \/node ready; starting repmgrd\/ in its log/, { deployTimeoutMs: 500 }],
    ['restarts after its ready line', SCRIPTS.restartsAfterReady, /RESTARTED: it logged its ready line again/, CRASH_INSIDE_SETTLE],
    ['fails', SCRIPTS.failed, /FAILED: the deployment failed/, { deployTimeoutMs: 500 }],
  ])('rolls back a node that %s', async (_, script, why, timing) => {
    verify(d('a'));
    fake.scriptNextDeploy('pg-3', script);
    expect(await promote(['--apply'], deps({}, timing))).toBe(EXIT.failed);
    expect(fake.instance('pg-3')!.image).toBe(OLD);
    expect(fake.instance('pg-2')!.image).toBe(PG_IMAGE);
    expect(fake.instance('pg-4')!.image).toBe(OLD);
    expect(out.join('\n')).toMatch(why);
    expect(out.join('\n')).toContain(`pg-3: rolled back to ${OLD} (ready)`);
  });

  it.each([
    ['NEEDS_APPROVAL', SCRIPTS.needsApproval],
    ['WAITING', SCRIPTS.waiting],
  ])('stops at a deployment in %s, changing nothing further (exit 3), and a rerun goes on from there', async (status, script) => {
    verify(d('a'));
    fake.scriptNextDeploy('pg-3', script);
    expect(await promote(['--apply'], deps())).toBe(EXIT.awaitingApproval);
    expect(trace().at(-1)).toBe('serviceInstanceDeployV2 pg-3');
    expect(fake.instance('pg-4')!.image).toBe(OLD);
    expect(out.join('\n')).toMatch(new RegExp(`stopped at pg-3: deployment dep-\\d+ (needs|waiting for) approval in Railway \\(${status}\\); nothing further was changed`));
    // Not approved yet: a rerun waits at the same deployment and changes nothing.
    fake.calls.length = 0;
    expect(await promote(['--apply'], deps())).toBe(EXIT.awaitingApproval);
    expect(mutations()).toEqual([]);
    // Approved: the rerun checks pg-3's approved deployment is ready and goes on.
    fake.approve('pg-3');
    fake.calls.length = 0;
    expect(await promote(['--apply'], deps())).toBe(EXIT.ok);
    expect(deploysOf()).toEqual(['pg-4', 'pg-1', 'witness', 'proxysql', 'proxysql-2'].map((n) => `serviceInstanceDeployV2 ${n}`));
  });

  it('a rerun after a failure leaves the upgraded standby alone (checking it is ready) and goes on', async () => {
    verify(d('a'));
    fake.scriptNextDeploy('pg-3', SCRIPTS.failed);
    await promote(['--apply'], deps());
    fake.calls.length = 0;
    expect(await promote(['--apply'], deps())).toBe(EXIT.ok);
    expect(deploysOf()).toEqual(['pg-3', 'pg-4', 'pg-1', 'witness', 'proxysql', 'proxysql-2'].map((n) => `serviceInstanceDeployV2 ${n}`));
    expect(out.join('\n')).toMatch(/pg-2: already on .*, ready/);
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
  it('refuses a registry user without a password (or the other way round)', async () => {
    verify(d('a'));
    expect(await promote(['--apply'], deps({ REGISTRY_PASSWORD: '' }))).toBe(EXIT.refused);
    expect(out.join('\n')).toContain('REGISTRY_USERNAME is set without the other: set both (a private registry) or neither');
    expect(pushes).toEqual([]);
  });
  it('refuses --apply without a token', async () => {
    verify(d('a'));
    expect(await promote(['--apply'], deps({ RAILWAY_API_TOKEN: '' }))).toBe(EXIT.refused);
    expect(out.join('\n')).toContain('--apply needs RAILWAY_API_TOKEN');
    expect(pushes).toEqual([]);
  });
  it('refuses an unknown flag', async () => {
    expect(await promote(['--aply'], deps())).toBe(EXIT.refused);
    expect(out[0]).toMatch(/^promote: Unknown option '--aply'\n[^]*usage: npm run promote/);
  });
  it('answers --help and -h with the usage (exit 0), before anything is read', async () => {
    for (const flag of ['--help', '-h']) {
      out = [];
      expect(await promote([flag, '--apply'], deps())).toBe(EXIT.ok);
      expect(out).toEqual([expect.stringMatching(/^usage: npm run promote/)]);
    }
    expect(fake.calls).toEqual([]);
  });
  it('the real CLI exits 2 on an unknown flag and on --apply without a token', () => {
    const cli = join(REPO_ROOT, 'bin', 'promote.ts');
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, PGHA_VERIFIED_DIR: records };
    const a = spawnSync(process.execPath, [cli, '--bogus'], { env, encoding: 'utf8' });
    expect(a.status).toBe(2);
    expect(a.stderr).toContain("Unknown option '--bogus'");
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
    expect(out.join('\n')).toMatch(/claims proven \(10\): formation \(2 tests\), replication[\s\S]*chaos smoke \(2 tests\)[\s\S]*plan: first-deploy[\s\S]*dry run: nothing changed/);
  });
  it('works with a project token too (Project-Access-Token)', async () => {
    verify(d('a'));
    expect(await promote([], deps({ RAILWAY_API_TOKEN: '', RAILWAY_TOKEN: TOKEN }))).toBe(EXIT.ok);
    expect(fake.calls.length).toBeGreaterThan(0);
  });
  it('no token, registry password or secret value appears in any output, plan or summary', async () => {
    verify(d('a'));
    fake.scriptNextDeploy('pg-1', SCRIPTS.failed);
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
    expect(out.join('\n')).toMatch(/Railway project: Not Authorized/);
    expect(out.join('\n')).not.toContain('wrong-token-123456');
  });
});
