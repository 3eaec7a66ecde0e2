// Reads the cluster's state from the live nodes: who is writable, what repmgr says,
// who streams, whether the routers answer. The verdicts live in formation.ts.
import { execIn } from '../fixtures/docker.ts';
import { appCredentials, endpointOf, queryOnce, repmgrCredentials } from './clients.ts';
import type { ClusterInfo } from './info.ts';
import {
  parseRepmgrNodes,
  parseServiceStatusCsv,
  type FormationObservation,
  type RepmgrNodeRow,
  type ServiceStatusRow,
} from './formation.ts';
import { dataNodes, routers, type NodeName } from '../model/topology.ts';

const REPMGR_CONF = '/etc/pgha/repmgr.conf';

const NODES_SQL = `SELECT n.node_id || '|' || n.node_name || '|' || n.type || '|' || CASE WHEN n.active THEN 't' ELSE 'f' END
  || '|' || coalesce(u.node_name, '') || '|' || n.priority AS line
  FROM repmgr.nodes n LEFT JOIN repmgr.nodes u ON u.node_id = n.upstream_node_id ORDER BY n.node_id`;

export async function inRecovery(info: ClusterInfo, node: NodeName): Promise<boolean | null> {
  try {
    const rows = await queryOnce<{ r: boolean }>(endpointOf(info, node), repmgrCredentials(info), 'SELECT pg_is_in_recovery() AS r');
    return rows[0]?.r ?? null;
  } catch {
    return null;
  }
}

export async function repmgrView(info: ClusterInfo, node: NodeName): Promise<RepmgrNodeRow[]> {
  try {
    const rows = await queryOnce<{ line: string }>(endpointOf(info, node), repmgrCredentials(info), NODES_SQL);
    return parseRepmgrNodes(rows.map((r) => r.line).join('\n'));
  } catch {
    return [];
  }
}

export async function serviceStatus(info: ClusterInfo, node: NodeName): Promise<ServiceStatusRow[]> {
  const id = info.nodes[node]?.container;
  if (!id) return [];
  const r = await execIn(id, ['repmgr', '-f', REPMGR_CONF, 'service', 'status', '--csv'], 'postgres').catch(() => null);
  return r ? parseServiceStatusCsv(r.stdout) : [];
}

export async function streamingStandbys(info: ClusterInfo, primary: NodeName): Promise<string[]> {
  try {
    const rows = await queryOnce<{ application_name: string }>(
      endpointOf(info, primary),
      repmgrCredentials(info),
      "SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'",
    );
    return rows.map((r) => r.application_name);
  } catch {
    return [];
  }
}

export async function routerAnswers(info: ClusterInfo, router: NodeName): Promise<boolean> {
  try {
    const rows = await queryOnce<{ one: number }>(endpointOf(info, router), appCredentials(info), 'SELECT 1 AS one');
    return rows[0]?.one === 1;
  } catch {
    return false;
  }
}

export async function roles(info: ClusterInfo): Promise<Partial<Record<NodeName, boolean | null>>> {
  const entries = await Promise.all(dataNodes().map(async (n) => [n.name, await inRecovery(info, n.name)] as const));
  return Object.fromEntries(entries);
}

/**
 * The one writable node among `nodes`, or undefined when none or several are. A round of
 * probes ends with its slowest: leave out a node known to be paused, which holds its probe
 * for the whole connect timeout.
 */
export async function writableAmong(info: ClusterInfo, nodes: readonly NodeName[]): Promise<NodeName | undefined> {
  const inRecoveryNow = await Promise.all(nodes.map((n) => inRecovery(info, n)));
  const writable = nodes.filter((_, i) => inRecoveryNow[i] === false);
  return writable.length === 1 ? writable[0] : undefined;
}

/** The one writable data node, or undefined when none or several are. */
export const writablePrimary = (info: ClusterInfo): Promise<NodeName | undefined> => writableAmong(info, dataNodes().map((n) => n.name));

export async function observeFormation(info: ClusterInfo): Promise<FormationObservation> {
  const recovery = await roles(info);
  const writable = dataNodes().filter((n) => recovery[n.name] === false).map((n) => n.name);
  const primary = writable.length === 1 ? writable[0] : undefined;
  const [primaryView, witnessView, status, streaming, routerEntries] = await Promise.all([
    primary ? repmgrView(info, primary) : Promise.resolve([]),
    repmgrView(info, 'witness'),
    primary ? serviceStatus(info, primary) : Promise.resolve([]),
    primary ? streamingStandbys(info, primary) : Promise.resolve([]),
    Promise.all(routers().map(async (r) => [r.name, await routerAnswers(info, r.name)] as const)),
  ]);
  return {
    inRecovery: recovery,
    primaryView,
    witnessView,
    serviceStatus: status,
    streaming,
    routersAnswer: Object.fromEntries(routerEntries),
  };
}
