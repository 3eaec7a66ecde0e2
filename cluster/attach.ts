// ClusterInfo for a cluster another process started (`pgha up`), read back from Docker:
// containers by their labels, ports from their bindings, secrets from the environment
// they were started with.
import { addressesIfAttached } from './addresses.ts';
import { docker } from '../fixtures/docker.ts';
import { LABEL_ROLE, LABEL_RUN, type RunId } from '../fixtures/labels.ts';
import type { ClusterInfo, NodeHandle } from './info.ts';
import { isNodeName, node, PG_PORT, PROXY_PORT, type NodeName } from '../model/topology.ts';
import type { ProxyFlavor } from '../model/proxy-contract.ts';

const envOf = (env: readonly string[], name: string): string => env.find((e) => e.startsWith(`${name}=`))?.slice(name.length + 1) ?? '';

export async function runningClusterInfo(runId: RunId): Promise<ClusterInfo> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${LABEL_RUN}=${runId}`] } });
  const network = `pgha-${runId}`;
  const nodes: Partial<Record<NodeName, NodeHandle>> = {};
  let env: string[] = [];
  let flavor: ProxyFlavor = 'pgpool';
  const images: ClusterInfo['images'] = {
    postgres: { name: 'postgres', ref: '', digest: '' },
    router: { name: 'pgpool', ref: '', digest: '' },
  };
  for (const c of list) {
    const name = c.Labels?.[LABEL_ROLE] ?? '';
    if (!isNodeName(name)) continue;
    const inspect = await docker.getContainer(c.Id).inspect();
    const kind = node(name).kind;
    const port = Number(inspect.HostConfig.PortBindings?.[`${kind === 'router' ? PROXY_PORT : PG_PORT}/tcp`]?.[0]?.HostPort ?? 0);
    nodes[name] = { name, kind, container: (c.Names?.[0] ?? c.Id).replace(/^\//, ''), host: 'localhost', port, ip: '', ip6: '', ...addressesIfAttached(inspect, network) };
    if (name === 'pg-1') {
      env = inspect.Config.Env ?? [];
      images.postgres = { name: 'postgres', ref: inspect.Config.Image, digest: inspect.Image };
    }
    if (kind === 'router') {
      flavor = inspect.Config.Image.includes('proxysql') ? 'proxysql' : 'pgpool';
      images.router = { name: flavor, ref: inspect.Config.Image, digest: inspect.Image };
    }
  }
  if (!nodes['pg-1']) throw new Error(`no cluster with run id ${runId} (see: npx pgha status)`);
  return {
    runId,
    flavor,
    network,
    nodes,
    secrets: { postgres: envOf(env, 'POSTGRES_PASSWORD'), repmgr: envOf(env, 'REPMGR_PASSWORD'), app: envOf(env, 'APP_PASSWORD'), proxyAdmin: '' },
    images,
    synchronousMode: envOf(env, 'SYNCHRONOUS_MODE') === 'any1' ? 'any1' : 'off',
    bootSeconds: 0,
  };
}
