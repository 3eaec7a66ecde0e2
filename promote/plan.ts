// The rollout plan, as data: which service changes, in what order, with which image,
// variables, volume and settings, and what line says it is ready. Pure, so the order rules
// (first deploy in boot order; an upgrade that never needs SSH and never takes both
// proxies down) are unit-tested without Railway.
import { CLAIMS } from '../model/claims.ts';
import type { ProxyFlavor } from '../model/proxy-contract.ts';
import { bootWaves, dataNodes, node, routers, TOPOLOGY, type NodeName, type NodeSpec } from '../model/topology.ts';
import { readyLineFor, type ReadyLine } from './readiness.ts';
import { DATA_VOLUME, serviceVariables, type SharedSecret } from '../model/service-env.ts';

export type RolloutMode = 'first-deploy' | 'upgrade';

/** What Railway has now, per topology service in the target environment (absent: no such service yet). */
export interface ServiceState {
  serviceId: string;
  image: string | null;
  /**
   * The latest deployment: what a rollback returns to. `image` is what it deployed, when
   * Railway's deployment meta says (null: unknown, so the image is deployed again to be sure).
   */
  deployment: { id: string; status: string; image: string | null } | null;
  /** Mount paths of the volumes attached to it in the target environment. */
  volumeMounts: string[];
}

export interface PlanInput {
  mode: RolloutMode;
  /** Image references to deploy (`repo@sha256:...` once pushed). */
  images: { postgres: string; router: string };
  flavor: ProxyFlavor;
  existing: Partial<Record<NodeName, ServiceState>>;
  /** Shared secrets that don't exist yet (set on a first deploy only). */
  missingSecrets: readonly SharedSecret[];
  /** The primary before the upgrade (Railway's API can't tell; the operator can). */
  primary: NodeName;
  /** Registry user when the registry needs auth (the password never enters a plan). */
  registryUser: string | null;
}

/**
 * SIGTERM -> SIGKILL time for nodes with data. Railway's default is 3 s; the image stops
 * repmgrd, then PostgreSQL with a fast shutdown (a shutdown checkpoint), and a clean stop is
 * what lets repmgr promote a standby with nothing lost. 30 s covers a checkpoint of a busy node.
 */
export const DATA_NODE_DRAINING_SECONDS = CLAIMS.redeployDrainSecs;

export interface ServiceStep {
  kind: 'service';
  node: NodeName;
  /** Create the service (first deploy) or repoint an existing one. */
  create: boolean;
  image: string;
  /** What a failure rolls back to (null: a new service, nothing to go back to). */
  previousImage: string | null;
  /** Already running the verified image: only its readiness is checked. */
  unchanged: boolean;
  variables: Record<string, string>;
  /** A volume to create: a new data node, or one whose volume is missing (a resumed deploy). */
  volume: { mountPath: string } | null;
  instance: { sleepApplication: false; drainingSeconds?: number };
  ready: ReadyLine;
  /** What this step does to the cluster, for the person reading the plan. */
  note?: string;
}

export interface SharedVariablesStep {
  kind: 'shared-variables';
  names: SharedSecret[];
}

export type PlanStep = SharedVariablesStep | ServiceStep;

export interface Plan {
  mode: RolloutMode;
  registryUser: string | null;
  steps: PlanStep[];
}

export class PlanError extends Error {}

function volumeFor(spec: NodeSpec, state: ServiceState | undefined): ServiceStep['volume'] {
  if (!spec.volume) return null;
  const mounts = state?.volumeMounts ?? [];
  if (mounts.includes(DATA_VOLUME.mountPath)) return null;
  if (mounts.length > 0) {
    throw new PlanError(`${spec.name} has a volume at ${mounts.join(', ')}, not at ${DATA_VOLUME.mountPath}: PGDATA (${DATA_VOLUME.pgdata}) would not be on it; move the volume's mount path in Railway first`);
  }
  // A new data node, or a first deploy that stopped after serviceCreate: without this, PGDATA
  // would live on the container's disk and be lost on the next redeploy.
  return { mountPath: DATA_VOLUME.mountPath };
}

function serviceStep(spec: NodeSpec, input: PlanInput, note?: string): ServiceStep {
  const image = spec.kind === 'router' ? input.images.router : input.images.postgres;
  const state = input.existing[spec.name];
  return {
    kind: 'service',
    node: spec.name,
    create: !state,
    image,
    previousImage: state?.image ?? null,
    // Set but not deployed (a run stopped between update and deploy) is not unchanged.
    unchanged: state?.image === image && state.deployment?.image === image,
    variables: serviceVariables(spec),
    volume: volumeFor(spec, state),
    instance: spec.kind === 'router' ? { sleepApplication: false } : { sleepApplication: false, drainingSeconds: DATA_NODE_DRAINING_SECONDS },
    ready: readyLineFor(spec.kind === 'router' ? input.flavor : 'postgres'),
    ...(note ? { note } : {}),
  };
}

const PRIMARY_NOTE =
  'the primary, after every standby is ready on the new image: Railway stops it with SIGTERM (a clean stop), ' +
  'repmgr promotes the most advanced standby (the failover the suites prove), and the new container on the same ' +
  'volume rejoins as a standby of the new primary';

export function planRollout(input: PlanInput): Plan {
  const steps: PlanStep[] = [];
  const plan = (): Plan => ({ mode: input.mode, registryUser: input.registryUser, steps });
  if (input.mode === 'first-deploy') {
    if (input.missingSecrets.length > 0) steps.push({ kind: 'shared-variables', names: [...input.missingSecrets] });
    // The modelled boot order, one service at a time: pg-1, the witness, pg-2..pg-4, the proxies.
    for (const wave of bootWaves()) for (const spec of wave) steps.push(serviceStep(spec, input));
    return plan();
  }
  const primary = node(input.primary);
  if (primary.kind !== 'postgres') throw new PlanError(`--primary ${input.primary} is not a data node`);
  // No switchover: it needs SSH between nodes, which Railway services don't have. Standbys
  // first, highest priority first (the likeliest to be promoted is on the new image longest).
  const standbys = dataNodes()
    .filter((n) => n.name !== primary.name)
    .sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0));
  for (const s of standbys) steps.push(serviceStep(s, input, 'a standby: redeployed on its volume, it rejoins the primary'));
  steps.push(serviceStep(primary, input, PRIMARY_NOTE));
  for (const spec of TOPOLOGY.filter((n) => n.kind === 'witness')) steps.push(serviceStep(spec, input));
  // One proxy at a time, each ready before the next: clients always have the other.
  for (const r of routers()) steps.push(serviceStep(r, input, 'one router at a time: clients use the other meanwhile'));
  return plan();
}

/**
 * An upgrade when every service exists; otherwise a first deploy, which also resumes one
 * that stopped part-way (existing services are repointed, not created, missing volumes are
 * created, and services already running the verified image are only checked for readiness).
 */
export function rolloutMode(existing: Partial<Record<NodeName, ServiceState>>): RolloutMode {
  const present = TOPOLOGY.filter((n) => existing[n.name]);
  return present.length === TOPOLOGY.length ? 'upgrade' : 'first-deploy';
}
