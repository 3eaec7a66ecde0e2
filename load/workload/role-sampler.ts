// Samples every data node directly (its mapped port, not through a router) every
// interval, recording whether it accepts writes: the evidence for "never two writable
// primaries". A node that doesn't answer within the interval is recorded unreachable,
// which is not the same as not writable: a partitioned primary may still take writes
// from clients on its side.
import type pg from 'pg';
import { connect, endpointOf, repmgrCredentials, closeClient } from '../../cluster/clients.ts';
import { dataNodes, type NodeName } from '../../model/topology.ts';
import { startClock, type RunClock } from './clock.ts';
import { current, type ClusterSource } from './source.ts';
import type { NodeState, RoleSample } from '../../model/history.ts';

export interface RoleSamplerOptions {
  clock?: RunClock;
  /** Default 200 ms. */
  intervalMs?: number;
  nodes?: readonly NodeName[];
}

export interface RoleSampler {
  readonly clock: RunClock;
  samples(): RoleSample[];
  stop(): Promise<RoleSample[]>;
}

const PROBE_SQL = `SELECT pg_is_in_recovery() AS recovery, current_setting('default_transaction_read_only') AS ro`;

export function stateOf(recovery: boolean, readOnly: string): NodeState {
  if (recovery) return 'standby';
  return readOnly === 'on' ? 'read-only' : 'writable';
}

export function startRoleSampler(source: ClusterSource, opts: RoleSamplerOptions = {}): RoleSampler {
  const clock = opts.clock ?? startClock();
  const intervalMs = opts.intervalMs ?? 200;
  const nodes = opts.nodes ?? dataNodes().map((n) => n.name);
  const samples: RoleSample[] = [];
  let stopping = false;

  const push = (node: NodeName, state: NodeState, error?: string) => {
    const at = clock.now();
    samples.push({ node, at, wall: clock.wallOf(at), state, ...(error ? { error } : {}) });
  };

  const sampleNode = async (node: NodeName) => {
    let client: pg.Client | undefined;
    let inFlight: Promise<void> | undefined;
    const probe = async () => {
      try {
        if (!client) {
          const info = current(source);
          client = await connect(endpointOf(info, node), { ...repmgrCredentials(info) }, intervalMs * 5);
        }
        const r = await client.query<{ recovery: boolean; ro: string }>(PROBE_SQL);
        const row = r.rows[0];
        if (!stopping && row) push(node, stateOf(row.recovery, row.ro));
      } catch (e) {
        if (!stopping) push(node, 'unreachable', (e as Error).message);
        const dead = client;
        client = undefined;
        if (dead) void dead.end().catch(() => {});
      }
      // A probe that outlived stop() must not leave a socket holding the process open.
      if (stopping && client) {
        void client.end().catch(() => {});
        client = undefined;
      }
    };
    let next = clock.now();
    while (!stopping) {
      if (inFlight) {
        // The previous probe hasn't answered within an interval: that is a sample too.
        push(node, 'unreachable', `no answer within ${intervalMs} ms`);
      } else {
        inFlight = probe().finally(() => {
          inFlight = undefined;
        });
      }
      next += intervalMs;
      if (next < clock.now()) next = clock.now();
      await new Promise((r) => setTimeout(r, Math.max(0, next - clock.now())));
    }
    await Promise.race([inFlight, new Promise((r) => setTimeout(r, intervalMs * 5))]);
    if (client) await closeClient(client as pg.Client);
  };

  const running = nodes.map(sampleNode);
  return {
    clock,
    samples: () => [...samples],
    stop: async () => {
      stopping = true;
      await Promise.all(running);
      return [...samples];
    },
  };
}
