// Carries a plan out against Railway, one service at a time: variables, volume, image,
// deploy, then wait for the deployment's verdict before touching the next service. A
// failed deployment stops the rollout and points that service back at its previous image.
import { TOPOLOGY, type NodeName } from '../model/topology.ts';
import { deploymentOutcome } from './railway-operations.ts';
import type { RailwayClient } from './railway-api.ts';
import type { Plan, ServiceState, ServiceStep } from './plan.ts';
import { SHARED_SECRETS, type SharedSecret } from './service-env.ts';

export interface RailwayTarget {
  projectId: string;
  environmentId: string;
}

export interface Discovered {
  existing: Partial<Record<NodeName, ServiceState>>;
  missingSecrets: SharedSecret[];
}

/** Read-only: which topology services exist, on which image, and which shared secrets are set. */
export async function discover(client: RailwayClient, t: RailwayTarget): Promise<Discovered> {
  const { project } = await client.call('projectServices', { id: t.projectId });
  const byName = new Map(project.services.edges.map((e) => [e.node.name, e.node.id]));
  const existing: Partial<Record<NodeName, ServiceState>> = {};
  for (const spec of TOPOLOGY) {
    const serviceId = byName.get(spec.name);
    if (!serviceId) continue;
    const { serviceInstance } = await client.call('serviceInstance', { serviceId, environmentId: t.environmentId });
    existing[spec.name] = { serviceId, image: serviceInstance?.source?.image ?? null };
  }
  // Only the names: the values are secrets and stay on Railway.
  const names = new Set(Object.keys((await client.call('variables', { projectId: t.projectId, environmentId: t.environmentId })).variables));
  return { existing, missingSecrets: SHARED_SECRETS.filter((n) => !names.has(n)) };
}

export type ServiceOutcome =
  | { node: NodeName; result: 'unchanged'; image: string }
  | { node: NodeName; result: 'deployed'; image: string; previousImage: string | null; deploymentId: string }
  | {
      node: NodeName;
      result: 'failed';
      image: string;
      status: string;
      rollback: { image: string; status: string } | { image: null; status: 'nothing to roll back to (new service)' };
    };

export interface RolloutSummary {
  mode: Plan['mode'];
  sharedVariablesSet: SharedSecret[];
  services: ServiceOutcome[];
  /** Where the rollout stopped: a failed service, or the switchover gate. */
  stopped?: { at: string; why: string };
  pausedForSwitchover?: { from: NodeName; to: NodeName; command: string };
}

export interface RolloutOptions {
  /** Shared secret values, set only for the names the plan lists. Never logged. */
  secretValues: Partial<Record<SharedSecret, string>>;
  pollIntervalMs: number;
  deployTimeoutMs: number;
  log: (line: string) => void;
}

async function waitForDeployment(client: RailwayClient, id: string, o: RolloutOptions): Promise<string> {
  const deadline = Date.now() + o.deployTimeoutMs;
  let last = 'UNKNOWN';
  while (Date.now() < deadline) {
    last = (await client.call('deployment', { id })).deployment.status;
    if (deploymentOutcome(last) !== 'pending') return last;
    await new Promise((r) => setTimeout(r, o.pollIntervalMs));
  }
  return `TIMED OUT (last ${last})`;
}

async function pointAndDeploy(client: RailwayClient, t: RailwayTarget, serviceId: string, image: string, o: RolloutOptions) {
  await client.call('serviceInstanceUpdate', { serviceId, environmentId: t.environmentId, input: { source: { image } } });
  const deploymentId = (await client.call('serviceInstanceDeployV2', { serviceId, environmentId: t.environmentId })).serviceInstanceDeployV2;
  const status = await waitForDeployment(client, deploymentId, o);
  return { deploymentId, status };
}

async function runService(client: RailwayClient, t: RailwayTarget, step: ServiceStep, state: ServiceState | undefined, o: RolloutOptions): Promise<ServiceOutcome> {
  if (step.unchanged) {
    o.log(`${step.node}: already on ${step.image}`);
    return { node: step.node, result: 'unchanged', image: step.image };
  }
  let serviceId = state?.serviceId;
  if (!serviceId) {
    // Created empty: a service created with an image source deploys at once, before its
    // variables and volume exist (and the postgres image refuses to start without passwords).
    serviceId = (await client.call('serviceCreate', { input: { projectId: t.projectId, environmentId: t.environmentId, name: step.node } })).serviceCreate.id;
    o.log(`${step.node}: service created`);
  }
  // skipDeploys: an upsert would otherwise redeploy the service at once, out of order.
  await client.call('variableCollectionUpsert', {
    input: { projectId: t.projectId, environmentId: t.environmentId, serviceId, variables: step.variables, skipDeploys: true },
  });
  if (step.volume) {
    await client.call('volumeCreate', { input: { projectId: t.projectId, environmentId: t.environmentId, serviceId, mountPath: step.volume.mountPath } });
    o.log(`${step.node}: volume at ${step.volume.mountPath}`);
  }
  o.log(`${step.node}: deploying ${step.image}`);
  const { deploymentId, status } = await pointAndDeploy(client, t, serviceId, step.image, o);
  if (deploymentOutcome(status) === 'success') {
    o.log(`${step.node}: ${status}`);
    return { node: step.node, result: 'deployed', image: step.image, previousImage: step.previousImage, deploymentId };
  }
  o.log(`${step.node}: deployment ${deploymentId} ${status}`);
  if (!step.previousImage) {
    return { node: step.node, result: 'failed', image: step.image, status, rollback: { image: null, status: 'nothing to roll back to (new service)' } };
  }
  o.log(`${step.node}: rolling back to ${step.previousImage}`);
  const back = await pointAndDeploy(client, t, serviceId, step.previousImage, o);
  o.log(`${step.node}: rollback ${back.status}`);
  return { node: step.node, result: 'failed', image: step.image, status, rollback: { image: step.previousImage, status: back.status } };
}

export async function applyPlan(client: RailwayClient, t: RailwayTarget, plan: Plan, existing: Discovered['existing'], o: RolloutOptions): Promise<RolloutSummary> {
  const summary: RolloutSummary = { mode: plan.mode, sharedVariablesSet: [], services: [] };
  for (const step of plan.steps) {
    if (step.kind === 'shared-variables') {
      const variables: Record<string, string> = {};
      for (const n of step.names) {
        const v = o.secretValues[n];
        if (!v) throw new Error(`no value for shared variable ${n}`);
        variables[n] = v;
      }
      await client.call('variableCollectionUpsert', { input: { projectId: t.projectId, environmentId: t.environmentId, variables, skipDeploys: true } });
      summary.sharedVariablesSet = [...step.names];
      o.log(`shared variables set: ${step.names.join(', ')}`);
    } else if (step.kind === 'switchover') {
      if (!step.done) {
        summary.pausedForSwitchover = { from: step.from, to: step.to, command: step.command };
        summary.stopped = { at: 'switchover', why: `run the switchover to ${step.to}, then promote again with --switchover-done` };
        return summary;
      }
      o.log(`switchover ${step.from} -> ${step.to}: done by the operator`);
    } else {
      const outcome = await runService(client, t, step, existing[step.node], o);
      summary.services.push(outcome);
      if (outcome.result === 'failed') {
        summary.stopped = { at: step.node, why: `deployment ${outcome.status}` };
        return summary;
      }
    }
  }
  return summary;
}
