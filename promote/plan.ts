// The rollout plan, as data: which service changes, in what order, with which image and
// variables. Pure, so the order rules (first deploy; rolling upgrade that never takes both
// proxies down) are unit-tested without Railway.
import { bootWaves, dataNodes, node, routers, TOPOLOGY, type NodeName, type NodeSpec } from '../model/topology.ts';
import { PGDATA_MOUNT, serviceVariables, type SharedSecret } from './service-env.ts';

export type RolloutMode = 'first-deploy' | 'upgrade';

/** What Railway has now, per topology service (absent: no such service yet). */
export interface ServiceState {
  serviceId: string;
  image: string | null;
}

export interface PlanInput {
  mode: RolloutMode;
  /** Image references to deploy (`repo@sha256:...` once pushed). */
  images: { postgres: string; router: string };
  existing: Partial<Record<NodeName, ServiceState>>;
  /** Shared secrets that don't exist yet (set on a first deploy only). */
  missingSecrets: readonly SharedSecret[];
  /** The primary before the upgrade (Railway's API can't tell; the operator can). */
  primary: NodeName;
  /** The standby that takes over in the switchover. */
  switchoverTo: NodeName;
  /** The operator ran the switchover: the plan may go past it. */
  switchoverDone: boolean;
}

export interface ServiceStep {
  kind: 'service';
  node: NodeName;
  /** Create the service (first deploy) or repoint an existing one. */
  create: boolean;
  image: string;
  /** What a failure rolls back to (null: a new service, nothing to go back to). */
  previousImage: string | null;
  /** Already running the verified image: nothing to do. */
  unchanged: boolean;
  variables: Record<string, string>;
  volume: { mountPath: string } | null;
}

export interface SharedVariablesStep {
  kind: 'shared-variables';
  names: SharedSecret[];
}

/**
 * Railway's API can't run `repmgr standby switchover` inside a container. The plan stops
 * here until the operator has run it and says so with --switchover-done: a gate, not a guess.
 */
export interface SwitchoverStep {
  kind: 'switchover';
  from: NodeName;
  to: NodeName;
  command: string;
  done: boolean;
}

export type PlanStep = SharedVariablesStep | ServiceStep | SwitchoverStep;

export interface Plan {
  mode: RolloutMode;
  steps: PlanStep[];
}

function serviceStep(spec: NodeSpec, input: PlanInput): ServiceStep {
  const image = spec.kind === 'router' ? input.images.router : input.images.postgres;
  const state = input.existing[spec.name];
  return {
    kind: 'service',
    node: spec.name,
    create: !state,
    image,
    previousImage: state?.image ?? null,
    unchanged: state?.image === image,
    variables: serviceVariables(spec),
    // Only a newly created data node gets a volume: an existing one has its PGDATA already.
    volume: spec.volume && !state ? { mountPath: PGDATA_MOUNT } : null,
  };
}

export function switchoverCommand(to: NodeName): string {
  return `repmgr -f /etc/repmgr/repmgr.conf standby switchover --siblings-follow  # as postgres, on ${to}`;
}

export function planRollout(input: PlanInput): Plan {
  const steps: PlanStep[] = [];
  if (input.mode === 'first-deploy') {
    if (input.missingSecrets.length > 0) steps.push({ kind: 'shared-variables', names: [...input.missingSecrets] });
    // The modelled boot order, one service at a time: pg-1, the witness, pg-2..pg-4, the proxies.
    for (const wave of bootWaves()) for (const spec of wave) steps.push(serviceStep(spec, input));
    return { mode: input.mode, steps };
  }
  const primary = node(input.primary);
  const to = node(input.switchoverTo);
  if (primary.kind !== 'postgres') throw new Error(`--primary ${input.primary} is not a data node`);
  if (to.kind !== 'postgres' || to.name === primary.name) throw new Error(`--switchover-to ${input.switchoverTo} must be a data node other than the primary`);
  const standbys = dataNodes()
    .filter((n) => n.name !== primary.name)
    // The switchover target goes first, so it is on the new image longest before it leads.
    .sort((a, b) => Number(b.name === to.name) - Number(a.name === to.name) || (b.priority ?? 0) - (a.priority ?? 0));
  for (const s of standbys) steps.push(serviceStep(s, input));
  steps.push({ kind: 'switchover', from: primary.name, to: to.name, command: switchoverCommand(to.name), done: input.switchoverDone });
  steps.push(serviceStep(primary, input));
  for (const spec of TOPOLOGY.filter((n) => n.kind === 'witness')) steps.push(serviceStep(spec, input));
  // One proxy at a time, each waited for: clients always have the other.
  for (const r of routers()) steps.push(serviceStep(r, input));
  return { mode: input.mode, steps };
}

/** The default switchover target: the highest-priority data node that isn't the primary. */
export function defaultSwitchoverTarget(primary: NodeName): NodeName {
  const candidates = dataNodes().filter((n) => n.name !== primary).sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0));
  return candidates[0]!.name;
}

/**
 * An upgrade when every service exists; otherwise a first deploy, which also resumes one
 * that stopped part-way (existing services are repointed, not created, and services
 * already on the verified image are left alone).
 */
export function rolloutMode(existing: Partial<Record<NodeName, ServiceState>>): RolloutMode {
  const present = TOPOLOGY.filter((n) => existing[n.name]);
  return present.length === TOPOLOGY.length ? 'upgrade' : 'first-deploy';
}
