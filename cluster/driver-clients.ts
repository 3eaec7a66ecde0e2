// Runs the clients image's drivers on the cluster's network, one container each, the way
// an application would sit next to the routers: by their network names, never host ports.
// Each prints JSON lines; the container's log is the record, read whenever asked.
import { docker, demuxLog } from '../fixtures/docker.ts';
import { runLabels } from '../fixtures/labels.ts';
import { APP_DATABASE, APP_USER, privateHost, PROXY_PORT, routers } from '../model/topology.ts';
import { CLIENT_INTERVAL_MS, CLIENT_STATEMENT_TIMEOUT_MS, POOL_RECREATE_AFTER_MS, type DriverName } from '../model/clients.ts';
import { CLAIMS } from '../model/claims.ts';
import type { ClusterInfo } from './info.ts';
import { silentAddresses } from './addresses.ts';

export interface DriverClient {
  driver: DriverName;
  container: string;
  /** Everything the client printed on stdout so far. */
  output(): Promise<string>;
  /** Removes the container (its log goes with it: read it first). */
  remove(): Promise<void>;
}

/** The routers' private names (`<service>.railway.internal`), in the order the documentation lists them. */
export const routerHosts = (): string[] => routers().map((r) => privateHost(r.name));

export interface DriverClientOptions {
  /** The hosts the client is given, in order (default: both routers by name). */
  hosts?: readonly string[];
  /** Told apart from the driver's main client by this, in the container's name. */
  tag?: string;
  /** `name:address` lines for the container's /etc/hosts (a name that resolves where nothing answers). */
  extraHosts?: readonly string[];
}

export async function startDriverClient(info: ClusterInfo, image: string, driver: DriverName, opts: DriverClientOptions = {}): Promise<DriverClient> {
  const role = opts.tag ? `client-${driver}-${opts.tag}` : `client-${driver}`;
  const name = `pgha-${info.runId}-${role}`;
  const c = await docker.createContainer({
    name,
    Image: image,
    Env: Object.entries({
      DRIVER: driver,
      HOSTS: (opts.hosts ?? routerHosts()).join(','),
      PORT: String(PROXY_PORT),
      DBNAME: APP_DATABASE,
      DBUSER: APP_USER,
      PGPASSWORD: info.secrets.app,
      CONNECT_TIMEOUT_SECS: String(CLAIMS.clientConnectTimeoutSecs),
      TCP_CONNECT_TIMEOUT_MS: String(CLAIMS.clientTcpConnectTimeoutMs),
      INTERVAL_MS: String(CLIENT_INTERVAL_MS),
      RECREATE_AFTER_MS: String(POOL_RECREATE_AFTER_MS),
      STATEMENT_TIMEOUT_MS: String(CLIENT_STATEMENT_TIMEOUT_MS),
    }).map(([k, v]) => `${k}=${v}`),
    Labels: runLabels(info.runId, role),
    HostConfig: { NetworkMode: info.network, ExtraHosts: opts.extraHosts ? [...opts.extraHosts] : undefined },
  });
  await c.start();
  return {
    driver,
    container: name,
    output: async () => demuxLog((await c.logs({ stdout: true, stderr: false, follow: false })) as unknown as Buffer),
    remove: () => c.remove({ force: true }).then(() => {}),
  };
}

/**
 * /etc/hosts lines that point `name` at an IPv4 and an IPv6 address on the cluster network
 * where nothing answers: what a killed router's name resolves to until Docker drops it.
 */
export async function silentHostEntries(info: ClusterInfo, name: string): Promise<string[]> {
  const net = (await docker.getNetwork(info.network).inspect()) as { IPAM?: { Config?: { Subnet?: string }[] }; Containers?: Record<string, { IPv4Address?: string; IPv6Address?: string }> };
  const subnets = (net.IPAM?.Config ?? []).flatMap((c) => (c.Subnet ? [c.Subnet] : []));
  const used = new Set(Object.values(net.Containers ?? {}).flatMap((c) => [c.IPv4Address, c.IPv6Address].flatMap((a) => (a ? [a.split('/')[0]!] : []))));
  const { ip, ip6 } = silentAddresses(subnets, used);
  return [`${name}:${ip}`, `${name}:${ip6}`];
}

/** What the client wrote on stderr (a runtime's complaint when it died), for failure messages. */
export async function driverStderr(client: DriverClient): Promise<string> {
  const c = docker.getContainer(client.container);
  return demuxLog((await c.logs({ stdout: false, stderr: true, follow: false, tail: 20 })) as unknown as Buffer);
}
