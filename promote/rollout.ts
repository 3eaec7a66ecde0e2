// Carries a plan out against Railway, one service at a time: variables, volume, image
// (with the registry's credentials), deploy, then wait until the node says it is ready and
// stays up before touching the next service. A deployment that goes down is rolled back and
// the rollout stops; one that waits for approval stops it too, with nothing further changed.
import { TOPOLOGY, type NodeName } from '../model/topology.ts';
import { environmentScope, type EnvironmentInfo } from './environment-scope.ts';
import type { Plan, ServiceState, ServiceStep } from './plan.ts';
import { awaitReady, type Readiness, type ReadinessOptions } from './readiness.ts';
import type { RailwayClient } from './railway-api.ts';
import type { InstanceUpdate, RegistryCredentials } from './railway-operations.ts';
import { SHARED_SECRETS, type SharedSecret } from '../model/service-env.ts';

export interface RailwayTarget {
  projectId: string;
  environmentId: string;
}

export type Discovered =
  | { ok: true; environment: EnvironmentInfo; scope: string; existing: Partial<Record<NodeName, ServiceState>>; missingSecrets: SharedSecret[] }
  | { ok: false; problem: string };

const imageOf = (meta: unknown): string | null => {
  const image = (meta as { image?: unknown } | null)?.image;
  return typeof image === 'string' ? image : null;
};

/**
 * Read-only: whether the target environment can be changed alone, and if so which
 * topology services exist there, on which image and deployment, with which volumes, and
 * which shared secrets are set. Reads no further once the scope check fails.
 */
export async function discover(client: RailwayClient, t: RailwayTarget): Promise<Discovered> {
  const { project } = await client.call('project', { id: t.projectId });
  const envs = project.environments.edges.map(({ node: e }) => ({ id: e.id, name: e.name, forkOf: e.sourceEnvironment }));
  const scope = environmentScope(envs, t.environmentId, !project.environments.pageInfo.hasNextPage);
  if (!scope.ok) return scope;
  const target = project.environments.edges.find((e) => e.node.id === t.environmentId)!.node;
  if (project.services.pageInfo.hasNextPage || target.volumeInstances.pageInfo.hasNextPage) {
    return { ok: false, problem: 'the project has more services or volumes than Railway listed in one page: the rollout could not tell which exist' };
  }
  const byName = new Map(project.services.edges.map((e) => [e.node.name, e.node.id]));
  const existing: Partial<Record<NodeName, ServiceState>> = {};
  for (const spec of TOPOLOGY) {
    const serviceId = byName.get(spec.name);
    if (!serviceId) continue;
    const { serviceInstance } = await client.call('serviceInstance', { serviceId, environmentId: t.environmentId });
    const d = serviceInstance.latestDeployment;
    existing[spec.name] = {
      serviceId,
      image: serviceInstance.source?.image ?? null,
      deployment: d ? { id: d.id, status: d.status, image: imageOf(d.meta) } : null,
      volumeMounts: target.volumeInstances.edges.filter((v) => v.node.serviceId === serviceId).map((v) => v.node.mountPath),
    };
  }
  // Only the names: the values are secrets and stay on Railway.
  const names = new Set(Object.keys((await client.call('variables', { projectId: t.projectId, environmentId: t.environmentId })).variables));
  return { ok: true, environment: scope.environment, scope: scope.why, existing, missingSecrets: SHARED_SECRETS.filter((n) => !names.has(n)) };
}

export type ServiceOutcome =
  | { node: NodeName; result: 'unchanged'; image: string }
  | { node: NodeName; result: 'deployed'; image: string; previousImage: string | null; deploymentId: string }
  | { node: NodeName; result: 'awaiting-approval'; image: string; deploymentId: string; status: string; why: string }
  | { node: NodeName; result: 'failed'; image: string; status: string; why: string; rollback: { image: string | null; status: string } };

export interface RolloutSummary {
  mode: Plan['mode'];
  sharedVariablesSet: SharedSecret[];
  services: ServiceOutcome[];
  /** Where the rollout stopped, and why: a service that went down, or one awaiting approval. */
  stopped?: { at: NodeName; why: string; awaitingApproval: boolean };
}

export interface RolloutOptions {
  /** Shared secret values, set only for the names the plan lists. Never logged. */
  secretValues: Partial<Record<SharedSecret, string>>;
  /** Sent with every image change when the registry needs auth. Never logged. */
  registryCredentials?: RegistryCredentials;
  readiness: ReadinessOptions;
  log: (line: string) => void;
}

interface Ctx {
  client: RailwayClient;
  t: RailwayTarget;
  o: RolloutOptions;
}

function instanceUpdate(step: ServiceStep, image: string, o: RolloutOptions): InstanceUpdate {
  return { source: { image }, ...(o.registryCredentials ? { registryCredentials: o.registryCredentials } : {}), ...step.instance };
}

async function pointAt(c: Ctx, step: ServiceStep, serviceId: string, image: string): Promise<void> {
  await c.client.call('serviceInstanceUpdate', { serviceId, environmentId: c.t.environmentId, input: instanceUpdate(step, image, c.o) });
}

/** The deployment Railway started for a rollback: the service's latest one that isn't the failed one. */
async function deploymentAfter(c: Ctx, serviceId: string, failedId: string): Promise<string | undefined> {
  const deadline = Date.now() + c.o.readiness.deployTimeoutMs;
  while (Date.now() < deadline) {
    const d = (await c.client.call('serviceInstance', { serviceId, environmentId: c.t.environmentId })).serviceInstance.latestDeployment;
    if (d && d.id !== failedId) return d.id;
    await new Promise((r) => setTimeout(r, c.o.readiness.pollIntervalMs));
  }
  return undefined;
}

/** Points the service back at its previous image and redeploys the deployment that ran it. */
async function rollBack(c: Ctx, step: ServiceStep, serviceId: string, failedId: string, previous: ServiceState['deployment']): Promise<{ image: string | null; status: string }> {
  if (!step.previousImage) return { image: null, status: 'nothing to roll back to (new service)' };
  c.o.log(`${step.node}: rolling back to ${step.previousImage}`);
  // First the source, so no later redeploy brings the failed image back.
  await pointAt(c, step, serviceId, step.previousImage);
  let id: string | undefined;
  if (previous) {
    await c.client.call('deploymentRollback', { id: previous.id });
    id = await deploymentAfter(c, serviceId, failedId);
  } else {
    id = (await c.client.call('serviceInstanceDeployV2', { serviceId, environmentId: c.t.environmentId })).serviceInstanceDeployV2;
  }
  if (!id) return { image: step.previousImage, status: 'Railway started no deployment for the rollback' };
  const r = await awaitReady(c.client, id, step.ready, c.o.readiness);
  c.o.log(`${step.node}: rollback ${r.kind === 'ready' ? 'ready' : r.status}`);
  return { image: step.previousImage, status: r.kind === 'ready' ? 'ready' : `${r.status}: ${r.why}` };
}

function notReady(step: ServiceStep, deploymentId: string, r: Exclude<Readiness, { kind: 'ready' }>): ServiceOutcome | undefined {
  if (r.kind !== 'awaiting-approval') return undefined;
  return { node: step.node, result: 'awaiting-approval', image: step.image, deploymentId, status: r.status, why: r.why };
}

async function runService(c: Ctx, step: ServiceStep, state: ServiceState | undefined): Promise<ServiceOutcome> {
  const { client, t, o } = c;
  if (step.unchanged && state?.deployment) {
    // A rerun: its deployment of this image may still be starting, or awaiting approval.
    const r = await awaitReady(client, state.deployment.id, step.ready, o.readiness);
    if (r.kind === 'ready') {
      o.log(`${step.node}: already on ${step.image}, ready`);
      return { node: step.node, result: 'unchanged', image: step.image };
    }
    return notReady(step, state.deployment.id, r) ?? { node: step.node, result: 'failed', image: step.image, status: r.status, why: r.why, rollback: { image: null, status: 'not changed: its deployment of the verified image is down; see its logs in Railway' } };
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
  await pointAt(c, step, serviceId, step.image);
  const deploymentId = (await client.call('serviceInstanceDeployV2', { serviceId, environmentId: t.environmentId })).serviceInstanceDeployV2;
  const r = await awaitReady(client, deploymentId, step.ready, o.readiness);
  if (r.kind === 'ready') {
    o.log(`${step.node}: ready (${step.ready.line} logged, up ${o.readiness.settleMs / 1000} s since)`);
    return { node: step.node, result: 'deployed', image: step.image, previousImage: step.previousImage, deploymentId };
  }
  const waiting = notReady(step, deploymentId, r);
  if (waiting) return waiting;
  o.log(`${step.node}: deployment ${deploymentId} ${r.status}: ${r.why}`);
  const rollback = await rollBack(c, step, serviceId, deploymentId, state?.deployment ?? null);
  return { node: step.node, result: 'failed', image: step.image, status: r.status, why: r.why, rollback };
}

export async function applyPlan(client: RailwayClient, t: RailwayTarget, plan: Plan, existing: Partial<Record<NodeName, ServiceState>>, o: RolloutOptions): Promise<RolloutSummary> {
  const c: Ctx = { client, t, o };
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
      continue;
    }
    const outcome = await runService(c, step, existing[step.node]);
    summary.services.push(outcome);
    if (outcome.result === 'awaiting-approval') {
      summary.stopped = {
        at: step.node,
        awaitingApproval: true,
        why: `deployment ${outcome.deploymentId} ${outcome.why} (${outcome.status}); nothing further was changed. Approve it in Railway, then run promote again: it goes on from here`,
      };
      return summary;
    }
    if (outcome.result === 'failed') {
      summary.stopped = { at: step.node, awaitingApproval: false, why: `deployment ${outcome.status}: ${outcome.why}` };
      return summary;
    }
  }
  return summary;
}
