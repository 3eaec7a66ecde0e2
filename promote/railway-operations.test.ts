// Every operation the client can send, checked against Railway's published schema
// (../shared/railway/schema.graphql) with graphql-js, with variables of the shapes the
// rollout sends. A missing schema file fails these tests: it never skips them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../model/paths.ts';
import { DEPLOYMENT_STATUSES, meaningOf } from './deployment-status.ts';
import { railwaySchema, RAILWAY_SCHEMA_FILE, requestErrors } from './railway-schema.ts';
import { OPS, type OpName, type OpVariables } from './railway-operations.ts';
import { readyLineFor } from './readiness.ts';

const schema = railwaySchema();
const IMAGE = 'reg.example/pgha/postgres@sha256:' + 'a'.repeat(64);

/** One call of each operation, shaped as rollout.ts sends it. */
const SAMPLES: { [K in OpName]: OpVariables[K] } = {
  project: { id: 'proj' },
  serviceInstance: { serviceId: 's', environmentId: 'e' },
  variables: { projectId: 'proj', environmentId: 'e' },
  serviceCreate: { input: { projectId: 'proj', environmentId: 'e', name: 'pg-1' } },
  serviceInstanceUpdate: {
    serviceId: 's',
    environmentId: 'e',
    input: { source: { image: IMAGE }, registryCredentials: { username: 'ci', password: 'pw' }, sleepApplication: false, drainingSeconds: 30 },
  },
  variableCollectionUpsert: { input: { projectId: 'proj', environmentId: 'e', serviceId: 's', variables: { NODE_NAME: 'pg-1' }, skipDeploys: true } },
  volumeCreate: { input: { projectId: 'proj', environmentId: 'e', serviceId: 's', mountPath: '/var/lib/postgresql/data' } },
  serviceInstanceDeployV2: { serviceId: 's', environmentId: 'e' },
  deployment: { id: 'd' },
  deploymentLogs: { deploymentId: 'd', filter: 'node ready', limit: 200 },
  deploymentRollback: { id: 'd' },
};

describe("the client's operations against Railway's schema", () => {
  it.each(Object.keys(OPS) as OpName[])('%s validates, with the variables the rollout sends', (op) => {
    expect(requestErrors(schema, OPS[op], SAMPLES[op] as Record<string, unknown>)).toEqual([]);
  });
  it('catches what Railway would reject: a wrong input shape, a missing required field, an unknown field', () => {
    const update = (input: unknown) => requestErrors(schema, OPS.serviceInstanceUpdate, { serviceId: 's', environmentId: 'e', input });
    expect(update({ source: { image: IMAGE }, registryCredentials: { username: 'ci' } }).join('\n')).toMatch(/password.*required|required.*password/i);
    expect(update({ image: IMAGE }).join('\n')).toMatch(/image/);
    expect(requestErrors(schema, 'query { deployment(id: "d") { id healthy } }').join('\n')).toMatch(/Cannot query field "healthy"/);
    expect(requestErrors(schema, OPS.volumeCreate, { input: { projectId: 'p' } }).join('\n')).toMatch(/mountPath/);
  });
});

describe('DeploymentStatus', () => {
  it('the client knows every value the schema has, no more, no fewer', () => {
    const type = schema.getType('DeploymentStatus');
    expect(type).toBeInstanceOf(GraphQLEnumType);
    const values = (type as GraphQLEnumType).getValues().map((v) => v.name);
    expect([...DEPLOYMENT_STATUSES].sort()).toEqual([...values].sort());
    expect(values).toHaveLength(13);
  });
  it.each([...DEPLOYMENT_STATUSES])('%s has a meaning for the rollout', (s) => {
    expect(['in-progress', 'started', 'awaiting-approval', 'down']).toContain(meaningOf(s).meaning);
  });
  it('SUCCESS only means started; WAITING and NEEDS_APPROVAL wait for a person', () => {
    expect(meaningOf('SUCCESS').meaning).toBe('started');
    expect(meaningOf('WAITING').meaning).toBe('awaiting-approval');
    expect(meaningOf('NEEDS_APPROVAL').meaning).toBe('awaiting-approval');
    for (const s of ['CRASHED', 'FAILED', 'REMOVED', 'REMOVING', 'SKIPPED', 'SLEEPING'] as const) expect(meaningOf(s).meaning, s).toBe('down');
  });
});

describe('the schema file and the ready lines', () => {
  it('lives beside the clone, and its absence is an error that says where to put it', () => {
    expect(RAILWAY_SCHEMA_FILE).toBe(join(REPO_ROOT, '..', 'shared', 'railway', 'schema.graphql'));
    expect(() => railwaySchema('/nonexistent/schema.graphql')).toThrow(/Railway's schema is not at \/nonexistent\/schema.graphql.*shared\/railway\/schema.graphql beside this clone/);
  });
  it("the postgres ready line is the one the image's entrypoint logs", () => {
    const entrypoint = readFileSync(join(REPO_ROOT, 'images', 'postgres', 'entrypoint.sh'), 'utf8');
    const logged = [...entrypoint.matchAll(/^\s*log "([^"]*)"/gm)].map((m) => m[1]!);
    const { line, filter } = readyLineFor('postgres');
    expect(logged.filter((l) => line.test(l))).toEqual(['node ready; starting repmgrd']);
    expect('node ready; starting repmgrd').toContain(filter);
  });
});
