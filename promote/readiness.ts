// When a deployed node counts as ready on Railway. Not SUCCESS: with no HTTP healthcheck
// (a database has none) Railway says SUCCESS as soon as the container starts, and it may
// turn CRASHED later. Ready is the node's own ready line in `deploymentLogs`, then the
// deployment staying up for a settle period. Whatever else happens, the answer says why.
import type { ProxyFlavor } from '../model/proxy-contract.ts';
import { ROUTER_FLAVORS } from '../model/router-flavors.ts';
import { isDeploymentStatus, meaningOf } from './deployment-status.ts';
import type { RailwayClient } from './railway-api.ts';

/** The line an image logs once it serves, and a plain-text filter Railway's log search narrows to it. */
export interface ReadyLine {
  image: 'postgres' | ProxyFlavor;
  line: RegExp;
  filter: string;
}

export function readyLineFor(image: 'postgres' | ProxyFlavor): ReadyLine {
  // images/postgres/entrypoint.sh logs it once PostgreSQL runs as primary, standby or
  // witness and is registered, right before repmgrd starts (fixtures/cluster.ts waits for it too).
  if (image === 'postgres') return { image, line: /node ready; starting repmgrd/, filter: 'node ready' };
  const filters: Record<ProxyFlavor, string> = { pgpool: 'starting pgpool-II', proxysql: 'ProxySQL' };
  return { image, line: ROUTER_FLAVORS[image].readyLine, filter: filters[image] };
}

/**
 * How long a node must stay up after its ready line before the rollout moves on. A node
 * that can't hold its place fails within seconds of it: repmgrd that can't reach its
 * upstream retries 2 x 1 s, the fence stops PostgreSQL 2 s after it loses the majority
 * (PGHA_FENCE_AFTER_SECS), and Railway's restart policy logs a restart at once. 30 s is
 * three times the slowest of those, short enough to keep a 7-service rollout under 5 minutes
 * of settling.
 */
export const SETTLE_MS = 30_000;

/** Lines asked of `deploymentLogs` per poll: the filter leaves a handful; this bounds a noisy one. */
const LOG_LIMIT = 200;

export interface ReadinessOptions {
  pollIntervalMs: number;
  /** Until the ready line: image pull, initdb or a clone of the primary's data. */
  deployTimeoutMs: number;
  settleMs: number;
}

export type Readiness =
  | { kind: 'ready'; status: string }
  | { kind: 'awaiting-approval'; status: string; why: string }
  | { kind: 'down'; status: string; why: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `deployment` and `deploymentLogs` until the node is ready, down, or waits for approval. */
export async function awaitReady(client: RailwayClient, deploymentId: string, ready: ReadyLine, o: ReadinessOptions): Promise<Readiness> {
  const deadline = Date.now() + o.deployTimeoutMs;
  let readySince: number | undefined;
  let readyLines = 0;
  let status = 'UNKNOWN';
  for (;;) {
    status = (await client.call('deployment', { id: deploymentId })).deployment.status;
    if (!isDeploymentStatus(status)) return { kind: 'down', status, why: `status ${status} is not in Railway's schema as this client knows it: stopping rather than guessing` };
    const { meaning, note } = meaningOf(status);
    if (meaning === 'awaiting-approval') return { kind: 'awaiting-approval', status, why: note };
    if (meaning === 'down') return { kind: 'down', status, why: readySince === undefined ? note : `${note}, ${Math.round((Date.now() - readySince) / 1000)} s after its ready line` };
    if (meaning === 'in-progress' && readySince !== undefined) return { kind: 'down', status, why: `went back to ${note} after its ready line` };
    if (meaning === 'started') {
      const logs = (await client.call('deploymentLogs', { deploymentId, filter: ready.filter, limit: LOG_LIMIT })).deploymentLogs;
      const seen = logs.filter((l) => ready.line.test(l.message)).length;
      // The same deployment logging its ready line again: the container restarted in place.
      if (readySince !== undefined && seen > readyLines) return { kind: 'down', status: 'RESTARTED', why: 'it logged its ready line again: the container restarted' };
      if (seen > 0 && readySince === undefined) {
        readySince = Date.now();
        readyLines = seen;
      }
      if (readySince !== undefined && Date.now() - readySince >= o.settleMs) return { kind: 'ready', status };
    }
    if (readySince === undefined && Date.now() > deadline) {
      const why = meaning === 'started' ? `no ${ready.line} in its log within ${o.deployTimeoutMs / 1000} s` : `still ${note} after ${o.deployTimeoutMs / 1000} s`;
      return { kind: 'down', status: `TIMED OUT (last ${status})`, why };
    }
    await sleep(o.pollIntervalMs);
  }
}
