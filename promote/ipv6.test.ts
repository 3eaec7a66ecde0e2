import { describe, expect, it } from 'vitest';
import { checkListensOnIpv6, checkPgpool, checkPostgres, checkProxysql } from './ipv6.ts';

describe('the images listen on IPv6 (Railway private network)', () => {
  it.each(['pgpool', 'proxysql'] as const)('the committed configs pass with %s', (flavor) => {
    const checks = checkListensOnIpv6(flavor);
    expect(checks.map((c) => c.image)).toEqual(['postgres', flavor]);
    for (const c of checks) expect(c, c.detail).toMatchObject({ ok: true });
  });
  it('fails IPv4-only listeners', () => {
    expect(checkPostgres("listen_addresses = '0.0.0.0'\nhost all all ::/0 scram-sha-256").ok).toBe(false);
    expect(checkPostgres("listen_addresses = '*'\nhost all all 0.0.0.0/0 scram-sha-256").ok).toBe(false);
    expect(checkPgpool("listen_addresses = 'localhost'").ok).toBe(false);
    expect(checkProxysql('pgsql_variables=\n{\n\tinterfaces="0.0.0.0:5432"\n}\n').ok).toBe(false);
    expect(checkProxysql('admin_variables=\n{\n\tinterfaces="[::]:5432"\n}\n').ok).toBe(false);
  });
  it('fails a file it cannot read', () => {
    const checks = checkListensOnIpv6('pgpool', () => {
      throw new Error('gone');
    });
    expect(checks.every((c) => !c.ok)).toBe(true);
  });
});
