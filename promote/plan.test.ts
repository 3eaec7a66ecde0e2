import { describe, expect, it } from 'vitest';
import { defaultSwitchoverTarget, planRollout, rolloutMode, type PlanInput, type ServiceStep } from './plan.ts';
import { SHARED_SECRETS } from './service-env.ts';
import { TOPOLOGY, type NodeName } from '../model/topology.ts';

const PG = 'reg/pgha/postgres@sha256:' + '1'.repeat(64);
const RT = 'reg/pgha/pgpool@sha256:' + '2'.repeat(64);
const OLD = 'reg/pgha/postgres@sha256:' + '0'.repeat(64);
const base: PlanInput = {
  mode: 'first-deploy',
  images: { postgres: PG, router: RT },
  existing: {},
  missingSecrets: [...SHARED_SECRETS],
  primary: 'pg-1',
  switchoverTo: 'pg-2',
  switchoverDone: false,
};
const allExisting = Object.fromEntries(TOPOLOGY.map((n) => [n.name, { serviceId: `id-${n.name}`, image: OLD }]));
const names = (p: ReturnType<typeof planRollout>) => p.steps.map((s) => (s.kind === 'service' ? s.node : s.kind));
const svc = (p: ReturnType<typeof planRollout>, n: NodeName) => p.steps.find((s): s is ServiceStep => s.kind === 'service' && s.node === n)!;

describe('planRollout', () => {
  it('a first deploy follows the modelled boot order, shared secrets first', () => {
    const p = planRollout(base);
    expect(names(p)).toEqual(['shared-variables', 'pg-1', 'witness', 'pg-2', 'pg-3', 'pg-4', 'proxysql', 'proxysql-2']);
  });
  it('gives volumes at PGDATA to pg-1..pg-4 only', () => {
    const p = planRollout(base);
    for (const s of p.steps) {
      if (s.kind !== 'service') continue;
      expect(s.volume, s.node).toEqual(s.node.startsWith('pg-') ? { mountPath: '/var/lib/postgresql/data' } : null);
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
  it('an upgrade goes standbys, switchover, old primary, witness, then one proxy at a time', () => {
    const p = planRollout({ ...base, mode: 'upgrade', existing: allExisting, missingSecrets: [] });
    expect(names(p)).toEqual(['pg-2', 'pg-3', 'pg-4', 'switchover', 'pg-1', 'witness', 'proxysql', 'proxysql-2']);
    expect(svc(p, 'pg-1')).toMatchObject({ create: false, previousImage: OLD, volume: null, unchanged: false });
  });
  it('upgrades the switchover target first among the standbys', () => {
    const p = planRollout({ ...base, mode: 'upgrade', existing: allExisting, primary: 'pg-2', switchoverTo: 'pg-4' });
    expect(names(p)).toEqual(['pg-4', 'pg-1', 'pg-3', 'switchover', 'pg-2', 'witness', 'proxysql', 'proxysql-2']);
  });
  it('marks services already on the verified image unchanged (a rerun resumes)', () => {
    const p = planRollout({ ...base, mode: 'upgrade', existing: { ...allExisting, 'pg-2': { serviceId: 'x', image: PG } } });
    expect(svc(p, 'pg-2').unchanged).toBe(true);
    expect(svc(p, 'pg-3').unchanged).toBe(false);
  });
  it('refuses a primary or switchover target that is not a data node', () => {
    expect(() => planRollout({ ...base, mode: 'upgrade', existing: allExisting, primary: 'witness' })).toThrow(/not a data node/);
    expect(() => planRollout({ ...base, mode: 'upgrade', existing: allExisting, switchoverTo: 'pg-1' })).toThrow(/other than the primary/);
  });
  it('picks the highest-priority standby as the default switchover target', () => {
    expect(defaultSwitchoverTarget('pg-1')).toBe('pg-2');
    expect(defaultSwitchoverTarget('pg-2')).toBe('pg-1');
  });
  it('calls it an upgrade only when every service exists', () => {
    expect(rolloutMode({})).toBe('first-deploy');
    expect(rolloutMode({ 'pg-1': { serviceId: 'a', image: OLD } })).toBe('first-deploy');
    expect(rolloutMode(allExisting)).toBe('upgrade');
  });
});
