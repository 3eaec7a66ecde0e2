// Boots the seven-container cluster under Testcontainers in the modelled order, on a
// dual-stack network where each node answers to its Railway name only, and waits until it is formed.
import { createServer } from 'node:net';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { docker, requireDocker, runOk } from '../fixtures/docker.ts';
import { newRunId, runLabels, type RunId } from '../fixtures/labels.ts';
import { markHandedOver, removeOnSignal, removeRun, sweepStaleRuns } from '../fixtures/reaper.ts';
import { note, phase } from '../fixtures/progress.ts';
import { newSecrets, type ClusterSecrets } from '../model/secrets.ts';
import { buildClusterImages, type ClusterImages, type ProxyChoice } from '../fixtures/images.ts';
import { bootWaves, DATA_VOLUME, dataNodes, PG_PORT, privateHost, PROXY_PORT, type NodeName, type NodeSpec } from '../model/topology.ts';
import { resolvedServiceVariables } from '../model/service-env.ts';
import type { ClusterInfo, NodeHandle } from './info.ts';
import { networkAddresses, randomUlaSubnet, type NetworkAddresses } from './addresses.ts';
import { observeFormation } from './observe.ts';
import { ROUTER_FLAVORS } from '../model/router-flavors.ts';
import { formationProblems } from './formation.ts';
import { CLAIMS, toMs } from '../model/claims.ts';

// Ryuk (Testcontainers' reaper) can't be pulled here; pgha reaps by label itself.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

export interface StartOptions {
  proxy?: ProxyChoice;
  /** Leave the cluster running after this process exits (`pgha up`). */
  keep?: boolean;
  /** Extra env for the PostgreSQL nodes (repmgr timing knobs, synchronous mode). */
  nodeEnv?: Record<string, string>;
  /** Extra env for both routers (ROUTER_MAX_CLIENTS for a capacity run). */
  routerEnv?: Record<string, string>;
  /** Images already built; built here when absent. */
  images?: ClusterImages;
  formedTimeoutMs?: number;
}

export interface Cluster {
  info: ClusterInfo;
  images: ClusterImages;
  /** Removes every container and the network of this run. */
  stop(): Promise<void>;
}

/** What Railway gives the service (the rollout's own variables, secrets resolved), plus this run's extras. */
function serviceEnv(spec: NodeSpec, secrets: ClusterSecrets, extra: Record<string, string>): Record<string, string> {
  return { ...resolvedServiceVariables(spec, secrets), ...extra };
}

const NODE_READY_LINE = /node ready; starting repmgrd/;

/** `pgha-<run>-<node>`: unique per run, and says which node it is. */
export const containerName = (runId: RunId, node: NodeName): string => `pgha-${runId}-${node}`;

/**
 * A free host port, chosen up front: a port Docker picks is picked again on every
 * `docker start`, and a node a suite killed and restarted would come back at a new
 * address that every other holder of ClusterInfo still has wrong.
 */
function freeHostPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no free port'))));
    });
  });
}

export async function startCluster(opts: StartOptions = {}): Promise<Cluster> {
  await requireDocker();
  await sweepStaleRuns();
  const images = opts.images ?? (await buildClusterImages(opts.proxy ?? 'auto'));
  const runId: RunId = newRunId();
  const secrets = newSecrets();
  // Also when it is to be kept: until it has formed, what an interrupted boot started is
  // removed (a half-booted "cluster" left running is worse than none).
  const unhook = removeOnSignal(runId);
  const stop = async () => {
    await removeRun(runId);
    unhook();
  };
  try {
    const info = await phase(`boot: seven containers, run ${runId} (${images.flavor})`, () => boot(runId, images, secrets, opts));
    // Formed: a kept cluster is handed over and outlives this process from here on. The
    // marker first: a signal before the unhook still removes the run, marker and all.
    if (opts.keep) {
      await markHandedOver(runId);
      unhook();
    }
    return { info, images, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * A data node's volume as Railway gives one: a labelled Docker volume (removed with the
 * run) whose root holds a root-owned `lost+found`, mounted where the rollout mounts it.
 * It outlives a `docker kill`/`start`, as a Railway volume outlives a redeploy.
 */
async function railwayShapedVolume(runId: RunId, node: NodeName, image: string, keep = false): Promise<string> {
  const name = `${containerName(runId, node)}-data`;
  await docker.createVolume({ Name: name, Labels: runLabels(runId, `${node}-volume`, keep) });
  await runOk('docker', ['run', '--rm', '--network', 'none', '--entrypoint', 'mkdir', '-v', `${name}:/volume`, image, '-m', '0700', '/volume/lost+found']);
  return name;
}

/** How many of a failed node's last log lines a boot failure shows. */
const BOOT_FAILURE_LOG_LINES = 40;

/**
 * Why a node did not start, in terms of the node: Testcontainers only says its wait
 * strategy gave up ("Log stream ended and message ... was not received"), and removes the
 * container. Its exit code is read back from Docker's events (the first `die` since the
 * start: the node's own exit, before Testcontainers' stop), its log from the lines kept.
 */
async function bootFailure(container: string, node: NodeName, sinceSecs: number, log: readonly string[], cause: unknown): Promise<string> {
  const reason = String((cause as Error)?.message ?? cause);
  let exitCode: number | null = null;
  try {
    const events = (await docker.getEvents({ since: sinceSecs, until: Math.ceil(Date.now() / 1000), filters: { container: [container], event: ['die'] } })) as unknown as NodeJS.ReadableStream;
    let text = '';
    for await (const chunk of events) text += String(chunk);
    const first = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { Actor?: { Attributes?: { exitCode?: string } } })[0];
    const code = first?.Actor?.Attributes?.exitCode;
    if (code !== undefined) exitCode = Number(code);
  } catch (e) {
    return `${describeBootFailure(node, null, log, reason)}\n(its exit code could not be read from Docker's events: ${String((e as Error)?.message ?? e)})`;
  }
  return describeBootFailure(node, exitCode, log, reason);
}

/** The boot failure's message: the node, how it ended, its last log lines. */
export function describeBootFailure(node: NodeName, exitCode: number | null, log: readonly string[], cause: string): string {
  const how = exitCode === null ? 'never logged that it was ready' : `exited with code ${exitCode}`;
  const lines = log.slice(-BOOT_FAILURE_LOG_LINES);
  return `${node} ${how} (${cause}). Its last ${lines.length} log line(s):\n  ${lines.join('\n  ')}`;
}

async function boot(runId: RunId, images: ClusterImages, secrets: ClusterSecrets, opts: StartOptions): Promise<ClusterInfo> {
  const network = `pgha-${runId}`;
  // Dual-stack, as Railway's private network in environments made since 2025-10-16: names
  // resolve to IPv6 first, so replication, repmgr and the routers' backends go over IPv6.
  await docker.createNetwork({
    Name: network,
    Driver: 'bridge',
    EnableIPv6: true,
    IPAM: { Config: [{ Subnet: randomUlaSubnet() }] },
    Labels: runLabels(runId, 'network', opts.keep),
  });
  const started = new Map<NodeName, StartedTestContainer>();
  const addresses = new Map<NodeName, NetworkAddresses>();
  const t0 = performance.now();

  const startOne = async (spec: NodeSpec): Promise<void> => {
    const isRouter = spec.kind === 'router';
    const image = isRouter ? images.router : images.postgres;
    let c = new GenericContainer(image.ref)
      // `docker ps` then reads like the topology; the labels stay what clean-up goes by.
      .withName(containerName(runId, spec.name))
      .withNetworkMode(network)
      // Railway's private names, and no other: a peer reached by a bare `pg-2` here would
      // not be reached on Railway.
      .withNetworkAliases(privateHost(spec.name))
      .withLabels(runLabels(runId, spec.name, opts.keep))
      .withExposedPorts({ container: isRouter ? PROXY_PORT : PG_PORT, host: await freeHostPort() })
      .withEnvironment(
        serviceEnv(spec, secrets, isRouter ? { ROUTER_MAX_CLIENTS: String(ROUTER_FLAVORS[images.flavor].defaultMaxClients), ...opts.routerEnv } : { ...opts.nodeEnv }),
      )
      .withWaitStrategy(Wait.forLogMessage(isRouter ? ROUTER_FLAVORS[images.flavor].readyLine : NODE_READY_LINE))
      .withStartupTimeout(120_000)
      // Faults cut links with iptables inside the container (docker network disconnect
      // stalls name lookups, which tests Docker, not the cluster).
      .withAddedCapabilities('NET_ADMIN');
    if (spec.volume) c = c.withBindMounts([{ source: await railwayShapedVolume(runId, spec.name, image.ref, opts.keep), target: DATA_VOLUME.mountPath }]);
    if (isRouter && ROUTER_FLAVORS[images.flavor].backendHostsFile) {
      // Docker's embedded DNS failed under load in a prototype (both pgpools marked every
      // node down at once): pgpool gets the nodes' addresses in /etc/hosts. The IPv6 ones:
      // what DNS answers first on a dual-stack network, and all a legacy Railway one has.
      c = c.withExtraHosts(
        dataNodes().map((n) => ({ host: privateHost(n.name), ipAddress: addresses.get(n.name)!.ip6 })),
      );
    }
    // The last lines the node logged, for a boot failure's message.
    // Only while it boots: an open log stream would keep `pgha up` from exiting.
    const lastLines: string[] = [];
    let logStream: { destroy(): void } | undefined;
    c = c.withLogConsumer((stream) => {
      logStream = stream;
      stream.on('data', (line: string | Buffer) => {
        lastLines.push(...String(line).trimEnd().split('\n'));
        lastLines.splice(0, Math.max(0, lastLines.length - BOOT_FAILURE_LOG_LINES));
      });
    });
    const t = performance.now();
    const sinceSecs = Math.floor(Date.now() / 1000) - 1;
    try {
      started.set(spec.name, await c.start());
    } catch (e) {
      throw new Error(await bootFailure(containerName(runId, spec.name), spec.name, sinceSecs, lastLines, e));
    } finally {
      logStream?.destroy();
    }
    // Outside the boot-failure wrapping: a node without an IPv6 address did start; the network is what is wrong.
    addresses.set(spec.name, networkAddresses(await docker.getContainer(containerName(runId, spec.name)).inspect(), network));
    note(`  ${spec.name} up (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  };

  for (const wave of bootWaves()) {
    await Promise.all(wave.map(startOne));
  }

  const nodes: Partial<Record<NodeName, NodeHandle>> = {};
  for (const wave of bootWaves()) {
    for (const spec of wave) {
      const c = started.get(spec.name)!;
      nodes[spec.name] = {
        name: spec.name,
        kind: spec.kind,
        container: containerName(runId, spec.name),
        ...addresses.get(spec.name)!,
        host: c.getHost(),
        port: c.getMappedPort(spec.kind === 'router' ? PROXY_PORT : PG_PORT),
      };
    }
  }
  const info: ClusterInfo = {
    runId,
    flavor: images.flavor,
    network,
    nodes,
    secrets,
    images: { postgres: images.postgres, router: images.router },
    synchronousMode: opts.nodeEnv?.SYNCHRONOUS_MODE === 'any1' ? 'any1' : 'off',
    bootSeconds: 0,
  };
  await waitFormed(info, opts.formedTimeoutMs ?? toMs(CLAIMS.formationTimeoutSecs));
  info.bootSeconds = (performance.now() - t0) / 1000;
  return info;
}

/** Polls the cluster until it is formed; on timeout, throws with what is still wrong. */
export async function waitFormed(info: ClusterInfo, timeoutMs = toMs(CLAIMS.formationTimeoutSecs)): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let problems: string[] = [];
  while (Date.now() < deadline) {
    problems = formationProblems(await observeFormation(info));
    if (problems.length === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`cluster not formed within ${timeoutMs / 1000} s:\n  - ${problems.join('\n  - ')}`);
}
