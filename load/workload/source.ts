// Where the workload finds the cluster. A restarted container keeps its id but may get a
// new host port, so long-running clients take a function returning the latest ClusterInfo
// (refreshEndpoints in cluster/control.ts, which the nemesis calls after each fault) rather than a snapshot.
import type { ClusterInfo, Endpoint } from '../../cluster/info.ts';
import { routers, type NodeName } from '../../model/topology.ts';

export type ClusterSource = ClusterInfo | (() => ClusterInfo);

export const current = (source: ClusterSource): ClusterInfo => (typeof source === 'function' ? source() : source);

export interface NamedEndpoint extends Endpoint {
  name: NodeName;
}

/** Both routers, in topology order, rotated so that client `i` starts at router `i mod n`. */
export function routerOrder(info: ClusterInfo, i: number): NamedEndpoint[] {
  const all = routers()
    .map((r) => info.nodes[r.name])
    .filter((n) => n !== undefined)
    .map((n) => ({ name: n.name, host: n.host, port: n.port }));
  if (all.length === 0) return all;
  const k = i % all.length;
  return [...all.slice(k), ...all.slice(0, k)];
}
