// Cluster boot to formed, from cached images: seven containers started in the modelled
// order until repmgr, the witness and both routers agree. One cluster at a time: each boot
// but the last is torn down before the next; the last serves the other sections.
import { startCluster, type Cluster, type StartOptions } from '../cluster/boot.ts';
import type { ClusterImages } from '../fixtures/images.ts';
import { POSTGRES_SIZING_DEFAULTS } from '../model/claims.ts';
import { note } from '../fixtures/progress.ts';
import type { ProxyFlavor } from '../model/proxy-contract.ts';
import { routers } from '../model/topology.ts';

export async function measureBoots(images: ClusterImages, repeat: number, env: Pick<StartOptions, 'nodeEnv' | 'routerEnv'>): Promise<{ seconds: number[]; cluster: Cluster }> {
  const seconds: number[] = [];
  for (let i = 1; ; i++) {
    const cluster = await startCluster({ images, ...env });
    seconds.push(cluster.info.bootSeconds);
    note(`  boot ${i}/${repeat}: formed in ${cluster.info.bootSeconds.toFixed(1)} s`);
    if (i >= repeat) return { seconds, cluster };
    await cluster.stop();
  }
}

/** repmgr, the routers' monitors and superuser slots beside the routers' backends. */
const PG_CONNECTION_RESERVE = 40;

/** The boot env for a run that sets the routers' capacity (none when it does not). */
export function clusterEnvFor(flavor: ProxyFlavor, routerMaxClients: number | undefined): Pick<StartOptions, 'nodeEnv' | 'routerEnv'> {
  if (routerMaxClients === undefined) return {};
  const routerEnv = { ROUTER_MAX_CLIENTS: String(routerMaxClients) };
  if (flavor !== 'pgpool') return { routerEnv };
  // One child per client plus the reserved one, each with a backend on every node.
  const needed = routers().length * (routerMaxClients + 1) + PG_CONNECTION_RESERVE;
  return { routerEnv, nodeEnv: { PG_MAX_CONNECTIONS: String(Math.max(POSTGRES_SIZING_DEFAULTS.PG_MAX_CONNECTIONS, needed)) } };
}
