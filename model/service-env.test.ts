import { describe, expect, it } from 'vitest';
import { resolvedServiceVariables, serviceVariables, SHARED_SECRETS, sharedRef } from './service-env.ts';
import { TOPOLOGY } from './topology.ts';

const secrets = { postgres: 'p0', repmgr: 'r0', app: 'a0', proxyAdmin: 'x0' };

describe('the variables the cluster under test boots on', () => {
  it.for(TOPOLOGY.map((n) => n.name))("are %s's Railway variables, each shared reference resolved to the run's secret", (name) => {
    const spec = TOPOLOGY.find((n) => n.name === name)!;
    const railway = serviceVariables(spec);
    const resolved = resolvedServiceVariables(spec, secrets);
    expect(Object.keys(resolved)).toEqual(Object.keys(railway));
    for (const [k, v] of Object.entries(railway)) {
      if (v.startsWith('${{')) expect(resolved[k], k).toMatch(/^[prax]0$/);
      else expect(resolved[k], k).toBe(v);
    }
    expect(JSON.stringify(resolved)).not.toContain('${{');
  });

  it('resolves every shared secret to its own value', () => {
    const spec = TOPOLOGY.find((n) => n.kind === 'router')!;
    const resolved = resolvedServiceVariables(spec, secrets);
    expect(resolved.APP_PASSWORD).toBe('a0');
    expect(resolved.REPMGR_PASSWORD).toBe('r0');
    expect(resolved.PROXYSQL_ADMIN_PASSWORD).toBe('x0');
    expect(SHARED_SECRETS.map(sharedRef)).toContain('${{shared.POSTGRES_PASSWORD}}');
  });
});
