import { describe, expect, it } from 'vitest';
import { classifyConnectFailure, connectionBounds, isCleanLimit, pgpoolCapacity } from './connections-classify.ts';

describe('connection-limit classification', () => {
  it('reads SQLSTATE 53300 (or its wording) as the limit', () => {
    expect(classifyConnectFailure({ code: '53300', message: 'Sorry, too many clients already' })).toEqual({ kind: 'limit', code: '53300', message: 'Sorry, too many clients already' });
    expect(classifyConnectFailure(new Error('FATAL: sorry, too many clients already')).kind).toBe('limit');
    expect(classifyConnectFailure({ code: '53300', message: 'remaining connection slots are reserved' }).kind).toBe('limit');
  });

  it('tells a hang, a refused port, a reset and a bad password apart', () => {
    expect(classifyConnectFailure(new Error('timeout expired')).kind).toBe('timeout');
    expect(classifyConnectFailure(new Error('Connection terminated due to connection timeout')).kind).toBe('timeout');
    expect(classifyConnectFailure({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }).kind).toBe('refused');
    expect(classifyConnectFailure(new Error('Connection terminated unexpectedly')).kind).toBe('reset');
    expect(classifyConnectFailure({ code: '28P01', message: 'password authentication failed' }).kind).toBe('auth');
    expect(classifyConnectFailure('weird').kind).toBe('other');
  });

  it('calls a limit clean only when it came at once', () => {
    const limit = classifyConnectFailure({ code: '53300', message: 'too many clients' });
    expect(isCleanLimit(limit, 5)).toBe(true);
    expect(isCleanLimit(limit, 30_000)).toBe(false);
    expect(isCleanLimit(classifyConnectFailure(new Error('timeout expired')), 5)).toBe(false);
  });

  it('reads the client capacity from a rendered pgpool.conf', () => {
    expect(pgpoolCapacity("port = 5432\nnum_init_children = 64\nreserved_connections = 1\n")).toEqual({ numInitChildren: 64, reservedConnections: 1, clients: 63 });
    expect(pgpoolCapacity('num_init_children = 64\n')).toBeUndefined();
    expect(pgpoolCapacity("# num_init_children = 10\nnum_init_children = '32'\nreserved_connections = 0")).toEqual({ numInitChildren: 32, reservedConnections: 0, clients: 32 });
  });
});

describe('connection bounds', () => {
  it('names the pgpool child limit, the backend ceiling, memory at the claim and file descriptors', () => {
    const lines = connectionBounds({
      flavor: 'pgpool',
      claimedPerProxy: 30_000,
      proxies: 2,
      capacity: { numInitChildren: 64, reservedConnections: 1, clients: 63 },
      maxConnections: 400,
      idleBackends: 7,
      held: [{ proxy: 'proxysql', held: 63, rssBytes: 66 * 4 * MiB_, processes: 66, primaryBackends: 70 }],
      routerNofile: 1048576,
      benchNofile: 20000,
    });
    expect(lines[0]).toMatch(/num_init_children=64.*holds 63 clients \(measured: proxysql 63\)/);
    expect(lines[1]).toMatch(/took 63 more client backends.*about 195 before PostgreSQL/);
    expect(lines[2]).toMatch(/264 MiB resident.*~4\.0 MiB each.*~117 GiB.*60000 backends/);
    expect(lines[3]).toMatch(/nofile 1048576.*nofile 20000: not the bound at 63/);
    expect(lines[4]).toMatch(/--router-max-clients/);
  });

  it('speaks of ProxySQL as a multiplexer, not of processes per client', () => {
    const lines = connectionBounds({
      flavor: 'proxysql',
      claimedPerProxy: 30_000,
      proxies: 2,
      maxConnections: 400,
      idleBackends: 23,
      held: [{ proxy: 'proxysql', held: 2000, rssBytes: 73 * MiB_, processes: 1, primaryBackends: 20 }],
    });
    expect(lines[0]).toMatch(/took -3 more client backends.*multiplexes/);
    expect(lines[1]).toMatch(/proxysql's proxysql had 73 MiB resident holding 2000 clients \(1 process\(es\); ~37 KiB per client at most\)/);
    expect(lines.join('\n')).not.toMatch(/pgpool|num_init_children/);
  });

  it('says nothing it did not measure', () => {
    expect(connectionBounds({ flavor: 'proxysql', claimedPerProxy: 30_000, proxies: 2, held: [{ proxy: 'proxysql', held: 30_000 }] })).toEqual([]);
  });
});
const MiB_ = 2 ** 20;
