// What a started cluster is, as plain data: it crosses process boundaries (vitest's
// globalSetup to the suites, `pgha up` to `pgha status`), so no live objects in here.
import type { NodeKind, NodeName } from '../model/topology.ts';
import type { ProxyFlavor } from '../model/proxy-contract.ts';
import type { ClusterSecrets } from '../model/secrets.ts';
import type { BuiltImage } from '../fixtures/images.ts';
import type { RunId } from '../fixtures/labels.ts';
import type { NetworkAddresses } from './addresses.ts';

export interface Endpoint {
  host: string;
  port: number;
}

export interface NodeHandle extends Endpoint, NetworkAddresses {
  name: NodeName;
  kind: NodeKind;
  /**
   * The container's name (`pgha-<run>-<node>`): Docker takes it wherever an id goes, and it
   * outlives a redeploy, which replaces the container (new id, new hostname) on the same volume.
   */
  container: string;
}

export interface ClusterInfo {
  runId: RunId;
  flavor: ProxyFlavor;
  network: string;
  nodes: Partial<Record<NodeName, NodeHandle>>;
  secrets: ClusterSecrets;
  images: { postgres: BuiltImage; router: BuiltImage };
  /**
   * off: asynchronous replication, a failover may lose the last acknowledged writes (the
   * suites count and report them); any1: a commit waits for one standby, none may be lost.
   */
  synchronousMode: 'off' | 'any1';
  /** Seconds from the first container start to "formed". */
  bootSeconds: number;
}

/** The client connection string over both proxies, as libpq takes it. */
export function multiHostUrl(info: ClusterInfo, user: string, password: string, database: string): string {
  const hosts = (['proxysql', 'proxysql-2'] as const)
    .map((r) => info.nodes[r])
    .filter((n): n is NodeHandle => !!n)
    .map((n) => `${n.host}:${n.port}`);
  return `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${hosts.join(',')}/${database}?target_session_attrs=any&connect_timeout=2`;
}

export function routerEndpoints(info: ClusterInfo): Endpoint[] {
  return (['proxysql', 'proxysql-2'] as const).map((r) => info.nodes[r]).filter((n): n is NodeHandle => !!n);
}
