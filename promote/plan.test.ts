import { describe, expect, it } from 'vitest';
import { DATA_NODE_DRAINING_SECONDS, planRollout, rolloutMode, type PlanInput, type ServiceState, type ServiceStep } from './plan.ts';
import { formatPlan } from './format.ts';
import { DATA_VOLUME, SHARED_SECRETS } from '../model/service-env.ts';
import { TOPOLOGY, type NodeName } from '../model/topology.ts';

const PG = 'reg/pgha/postgres@sha256:' + '1'.repeat(64);
const RT = 'reg/pgha/pgpool@sha256:' + '2'.repeat(64);
const OLD = 'reg/pgha/postgres@sha256:' + '0'.repeat(64);
const base: PlanInput = {
  mode: 'first-deploy',
  images: { postgres: PG, router: RT },
  flavor: 'pgpool',
  existing: {},
  missingSecrets: [...SHARED_SECRETS],
  primary: 'pg-1',
  registryUser: null,
};
const state = (n: string, image: string | null, over: Partial<ServiceState> = {}): ServiceState => ({
  serviceId: `id-${n}`,
  image,
  deployment: image ? { id: `dep-${n}`, status: 'SUCCESS', image } : null,
  volumeMounts: n.startsWith('pg-') ? [DATA_VOLUME.mountPath] : [],
  ...over,
});
const allExisting = Object.fromEntries(TOPOLOGY.map((n) => [n.name, state(n.name, OLD)]));
const names = (p: ReturnType<typeof planRollout>) => p.steps.map((s) => (s.kind === 'service' ? s.node : s.kind));
const svc = (p: ReturnType<typeof planRollout>, n: NodeName) => p.steps.find((s): s is ServiceStep => s.kind === 'service' && s.node === n)!;
const upgrade = (over: Partial<PlanInput> = {}) => planRollout({ ...base, mode: 'upgrade', existing: allExisting, missingSecrets: [], ...over });

describe('planRollout', () => {
  it('a first deploy follows the modelled boot order, shared secrets first', () => {
    const p = planRollout(base);
    expect(names(p)).toEqual(['shared-variables', 'pg-1', 'witness', 'pg-2', 'pg-3', 'pg-4', 'proxysql', 'proxysql-2']);
  });
  it('gives pg-1..pg-4 a volume at the mount path and PGDATA below it (a Railway volume root holds lost+found)', () => {
    expect(DATA_VOLUME.pgdata.startsWith(DATA_VOLUME.mountPath + '/')).toBe(true);
    const p = planRollout(base);
    for (const s of p.steps) {
      if (s.kind !== 'service') continue;
      const data = s.node.startsWith('pg-');
      expect(s.volume, s.node).toEqual(data ? { mountPath: '/var/lib/postgresql/data' } : null);
      expect(s.variables.PGDATA, s.node).toBe(data ? '/var/lib/postgresql/data/pgdata' : undefined);
    }
  });
  it('sets each service its env, with secrets as references to shared variables', () => {
    const p = planRollout(base);
    expect(svc(p, 'pg-3').variables).toEqual({
      NODE_NAME: 'pg-3',
      NODE_ID: '3',
      PEERS: 'pg-1.railway.internal,pg-2.railway.internal,pg-3.railway.internal,pg-4.railway.internal',
      PRIMARY_HINT: 'pg-1',
      HOST_SUFFIX: '.railway.internal',
      IS_WITNESS: 'false',
      PGDATA: '/var/lib/postgresql/data/pgdata',
      POSTGRES_PASSWORD: '${{shared.POSTGRES_PASSWORD}}',
      REPMGR_PASSWORD: '${{shared.REPMGR_PASSWORD}}',
      APP_PASSWORD: '${{shared.APP_PASSWORD}}',
    });
    expect(svc(p, 'witness').variables).toMatchObject({ NODE_ID: '99', IS_WITNESS: 'true' });
    expect(svc(p, 'proxysql-2').variables).toEqual({
      PROXY_NAME: 'proxysql-2',
      POSTGRES_HOST_SUFFIX: '.railway.internal',
      APP_PASSWORD: '${{shared.APP_PASSWORD}}',
      REPMGR_PASSWORD: '${{shared.REPMGR_PASSWORD}}',
      PROXYSQL_ADMIN_PASSWORD: '${{shared.PROXYSQL_ADMIN_PASSWORD}}',
    });
    expect(svc(p, 'proxysql').image).toBe(RT);
    expect(svc(p, 'pg-1').image).toBe(PG);
  });
  it("waits for each node's own ready line: the postgres image's, the router flavor's", () => {
    const p = planRollout(base);
    expect(svc(p, 'pg-2').ready.line.test('[pgha 12:00:00.000 pg-2] node ready; starting repmgrd')).toBe(true);
    expect(svc(p, 'witness').ready.image).toBe('postgres');
    expect(svc(p, 'proxysql').ready.line.test('[pgha 12:00:00.000 proxysql] starting pgpool-II 4.6.1 on port 5432')).toBe(true);
    expect(svc(planRollout({ ...base, flavor: 'proxysql' }), 'proxysql').ready.image).toBe('proxysql');
  });
  it('keeps databases awake and gives data nodes time for a clean stop', () => {
    const p = planRollout(base);
    expect(svc(p, 'pg-1').instance).toEqual({ sleepApplication: false, drainingSeconds: DATA_NODE_DRAINING_SECONDS });
    expect(svc(p, 'proxysql').instance).toEqual({ sleepApplication: false });
  });
  it('an upgrade needs no SSH: standbys first, then the primary (a clean-stop failover), the witness, one proxy at a time', () => {
    const p = upgrade();
    expect(names(p)).toEqual(['pg-2', 'pg-3', 'pg-4', 'pg-1', 'witness', 'proxysql', 'proxysql-2']);
    expect(svc(p, 'pg-1')).toMatchObject({ create: false, previousImage: OLD, volume: null, unchanged: false });
    expect(svc(p, 'pg-1').note).toMatch(/clean stop.*repmgr promotes/);
    const text = formatPlan(p, 30);
    expect(text).not.toMatch(/switchover/i);
    expect(text).not.toContain('ssh');
  });
  it('redeploys the primary named by --primary last among the data nodes, standbys by priority', () => {
    expect(names(upgrade({ primary: 'pg-3' }))).toEqual(['pg-1', 'pg-2', 'pg-4', 'pg-3', 'witness', 'proxysql', 'proxysql-2']);
  });
  it('marks services whose latest deployment ran the verified image unchanged (a rerun resumes)', () => {
    const p = upgrade({ existing: { ...allExisting, 'pg-2': state('pg-2', PG) } });
    expect(svc(p, 'pg-2').unchanged).toBe(true);
    expect(svc(p, 'pg-3').unchanged).toBe(false);
  });
  it('deploys again an image that was set but whose deployment is not known to run it', () => {
    const setNotDeployed = state('pg-2', PG, { deployment: { id: 'd', status: 'SUCCESS', image: OLD } });
    const unknown = state('pg-3', PG, { deployment: { id: 'd', status: 'SUCCESS', image: null } });
    const p = upgrade({ existing: { ...allExisting, 'pg-2': setNotDeployed, 'pg-3': unknown } });
    expect(svc(p, 'pg-2').unchanged).toBe(false);
    expect(svc(p, 'pg-3').unchanged).toBe(false);
  });
  it('a resumed first deploy creates the volume a data node is missing (service created, stopped before volumeCreate)', () => {
    const p = planRollout({ ...base, existing: { 'pg-1': state('pg-1', null, { volumeMounts: [] }) } });
    expect(svc(p, 'pg-1')).toMatchObject({ create: false, volume: { mountPath: DATA_VOLUME.mountPath } });
  });
  it('refuses a data node whose volume is mounted elsewhere: PGDATA would not be on it', () => {
    const elsewhere = state('pg-2', OLD, { volumeMounts: ['/data'] });
    expect(() => upgrade({ existing: { ...allExisting, 'pg-2': elsewhere } })).toThrow(/pg-2 has a volume at \/data, not at \/var\/lib\/postgresql\/data/);
  });
  it('refuses a primary that is not a data node', () => {
    expect(() => upgrade({ primary: 'witness' })).toThrow(/not a data node/);
  });
  it('calls it an upgrade only when every service exists', () => {
    expect(rolloutMode({})).toBe('first-deploy');
    expect(rolloutMode({ 'pg-1': state('pg-1', OLD) })).toBe('first-deploy');
    expect(rolloutMode(allExisting)).toBe('upgrade');
  });
});
