// Killing and restarting a node's container, as a fault and its undo, and reading back
// where it is reachable afterwards: `docker start` keeps the container's id, but Docker
// may hand it a new host port, and a new network address when others restarted with it
// (a full-cluster stop and start shuffled them). Never assumed.
import { docker } from '../fixtures/docker.ts';
import type { ClusterInfo, NodeHandle } from './info.ts';
import { CLAIMS } from '../model/claims.ts';
import { PG_PORT, privateHost, PROXY_PORT, type NodeName } from '../model/topology.ts';
import { addressesIfAttached } from './addresses.ts';

const containerOf = (info: ClusterInfo, name: NodeName) => {
  const id = info.nodes[name]?.container;
  if (!id) throw new Error(`no such node in this cluster: ${name}`);
  return docker.getContainer(id);
};

export async function killNode(info: ClusterInfo, name: NodeName): Promise<void> {
  await containerOf(info, name).kill();
}

export async function startNode(info: ClusterInfo, name: NodeName): Promise<void> {
  await containerOf(info, name).start();
}

/** Docker's state of the node's container: running, exited, ... */
export async function containerStatus(info: ClusterInfo, name: NodeName): Promise<string> {
  return (await containerOf(info, name).inspect()).State.Status;
}

/** Container ports ("5432/tcp") that are published on the host. */
export async function publishedPorts(info: ClusterInfo, name: NodeName): Promise<string[]> {
  const ports = (await containerOf(info, name).inspect()).NetworkSettings.Ports ?? {};
  return Object.entries(ports)
    .filter(([, bindings]) => bindings && bindings.length > 0)
    .map(([port]) => port);
}

/** The current ports and addresses, as a new ClusterInfo: the old one, shared with others, is never changed in place. */
export async function refreshEndpoints(info: ClusterInfo): Promise<ClusterInfo> {
  const entries = await Promise.all(
    Object.values(info.nodes).map(async (n): Promise<[NodeName, NodeHandle]> => {
      try {
        const c = await docker.getContainer(n.container).inspect();
        const port = c.NetworkSettings.Ports?.[`${n.kind === 'router' ? PROXY_PORT : PG_PORT}/tcp`]?.[0]?.HostPort;
        // A stopped container has no port or address: keep the last known ones until it runs again.
        return [n.name, { ...n, ...(port ? { port: Number(port) } : {}), ...addressesIfAttached(c, info.network) }];
      } catch {
        return [n.name, { ...n }];
      }
    }),
  );
  return { ...info, nodes: Object.fromEntries(entries) };
}


/**
 * A Railway redeploy: the node's container stops cleanly (SIGTERM; Railway stops the old
 * deployment before the new one can mount its volume) and a new container takes its
 * place: the same image (by ID), settings, name, network names and volume, but a new id, a
 * new hostname and maybe a new address. Returns the new container's id and hostname.
 */
export async function redeployNode(info: ClusterInfo, name: NodeName): Promise<{ id: string; hostname: string }> {
  const old = containerOf(info, name);
  const was = await old.inspect();
  await old.stop({ t: CLAIMS.redeployDrainSecs });
  // Named volumes stay (`v` removes anonymous ones only): the data is what a redeploy keeps.
  await old.remove({ v: false });
  const created = await docker.createContainer({
    name: was.Name.replace(/^\//, ''),
    Image: was.Image,
    Env: was.Config.Env,
    Labels: was.Config.Labels,
    ExposedPorts: was.Config.ExposedPorts,
    HostConfig: {
      Binds: was.HostConfig.Binds,
      PortBindings: was.HostConfig.PortBindings,
      CapAdd: was.HostConfig.CapAdd,
      ExtraHosts: was.HostConfig.ExtraHosts,
      NetworkMode: info.network,
    },
    NetworkingConfig: { EndpointsConfig: { [info.network]: { Aliases: [privateHost(name)] } } },
  });
  await created.start();
  const now = await created.inspect();
  return { id: now.Id, hostname: now.Config.Hostname };
}
