import { describe, expect, it } from 'vitest';
import { clusterEnvFor } from './boot.ts';
import { POSTGRES_SIZING_DEFAULTS } from '../model/claims.ts';

describe('the boot env of a capacity run', () => {
  it('leaves the images their defaults when no capacity is asked for', () => {
    expect(clusterEnvFor('pgpool', undefined)).toEqual({});
    expect(clusterEnvFor('proxysql', undefined)).toEqual({});
  });

  it('sets ROUTER_MAX_CLIENTS; ProxySQL multiplexes, so PostgreSQL keeps its own limit', () => {
    expect(clusterEnvFor('proxysql', 5000)).toEqual({ routerEnv: { ROUTER_MAX_CLIENTS: '5000' } });
  });

  it("raises max_connections to cover both pgpools' children (one backend each per node) plus a reserve", () => {
    expect(clusterEnvFor('pgpool', 500)).toEqual({ routerEnv: { ROUTER_MAX_CLIENTS: '500' }, nodeEnv: { PG_MAX_CONNECTIONS: String(2 * 501 + 40) } });
    // Never below the image's own default (held to the image by model/claims.test.ts).
    expect(clusterEnvFor('pgpool', 63).nodeEnv).toEqual({ PG_MAX_CONNECTIONS: String(POSTGRES_SIZING_DEFAULTS.PG_MAX_CONNECTIONS) });
  });
});
