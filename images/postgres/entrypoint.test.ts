// The image's settings checks, run on the host: the entrypoint stops after them when
// PGHA_CHECK_ONLY=1, so these need no PostgreSQL and no Docker.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = import.meta.dirname;
const good = {
  NODE_NAME: 'pg-2',
  NODE_ID: '2',
  PEERS: 'pg-1,pg-2,pg-3,pg-4',
  PRIMARY_HINT: 'pg-1',
  POSTGRES_PASSWORD: 'a-Strong-secret-1',
  REPMGR_PASSWORD: 'a-Strong-secret-2',
};

function runEntrypoint(env: Record<string, string | undefined>) {
  const clean = Object.fromEntries(Object.entries({ ...good, ...env }).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const r = spawnSync('bash', [join(dir, 'entrypoint.sh')], {
    env: { PATH: process.env.PATH, PGHA_LIB: join(dir, 'lib.sh'), PGHA_CHECK_ONLY: '1', PGDATA: '/nonexistent', ...clean },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('postgres image settings checks', () => {
  it('accepts a complete, strong configuration', () => {
    expect(runEntrypoint({})).toMatchObject({ code: 0 });
  });

  for (const name of ['POSTGRES_PASSWORD', 'REPMGR_PASSWORD']) {
    it(`refuses a missing ${name}, naming it`, () => {
      const r = runEntrypoint({ [name]: undefined });
      expect(r.code).toBe(64);
      expect(r.out).toMatch(new RegExp(`${name} is missing or empty`));
    });
    it(`refuses an empty ${name}`, () => {
      expect(runEntrypoint({ [name]: '' }).code).toBe(64);
    });
    for (const known of ['L0ngS3cur3P@ssw0rd', 'postgrespass', 'repmgrpass']) {
      it(`refuses ${name}=${known}, the modelled cluster's published default`, () => {
        const r = runEntrypoint({ [name]: known });
        expect(r.code).toBe(64);
        expect(r.out).toContain(`${name} is a published default password`);
      });
    }
  }

  it('checks APP_PASSWORD when one is given', () => {
    expect(runEntrypoint({ APP_PASSWORD: 'postgrespass' }).code).toBe(64);
    expect(runEntrypoint({ APP_PASSWORD: 'another-Strong-3' }).code).toBe(0);
  });

  it('says what is missing when the node has no identity', () => {
    const r = runEntrypoint({ NODE_ID: undefined });
    expect(r.code).toBe(64);
    expect(r.out).toContain('NODE_ID is missing');
    expect(runEntrypoint({ NODE_ID: 'two' }).out).toContain('NODE_ID must be a whole number');
    expect(runEntrypoint({ PRIMARY_HINT: undefined }).out).toContain('PRIMARY_HINT is missing');
    expect(runEntrypoint({ PRIMARY_HINT: undefined, IS_WITNESS: 'true', NODE_ID: '99' }).code).toBe(0);
  });

  it('never prints the password it refuses', () => {
    const r = runEntrypoint({ REPMGR_PASSWORD: '', POSTGRES_PASSWORD: 'a-Strong-secret-1' });
    expect(r.out).not.toContain('a-Strong-secret-1');
  });
});
