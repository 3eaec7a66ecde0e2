// The part of Railway's public GraphQL API v2 (https://backboard.railway.com/graphql/v2)
// that a promotion uses. Names and shapes follow Railway's own guides (docs.railway.com,
// "Manage Services / Deployments / Variables / Volumes with the Public API") and the
// railway CLI's .graphql files; the fake in railway-fake.ts validates the same shapes.

/** The root field each operation calls is also its operation name (the fake dispatches on it). */
export const OPS = {
  projectServices: `query projectServices($id: String!) {
  project(id: $id) { services { edges { node { id name } } } }
}`,
  serviceInstance: `query serviceInstance($serviceId: String!, $environmentId: String!) {
  serviceInstance(serviceId: $serviceId, environmentId: $environmentId) {
    source { image }
    latestDeployment { id status }
  }
}`,
  // Shared variables: `variables` without a serviceId. Only the names are used.
  variables: `query variables($projectId: String!, $environmentId: String!) {
  variables(projectId: $projectId, environmentId: $environmentId)
}`,
  serviceCreate: `mutation serviceCreate($input: ServiceCreateInput!) {
  serviceCreate(input: $input) { id name }
}`,
  serviceInstanceUpdate: `mutation serviceInstanceUpdate($serviceId: String!, $environmentId: String, $input: ServiceInstanceUpdateInput!) {
  serviceInstanceUpdate(serviceId: $serviceId, environmentId: $environmentId, input: $input)
}`,
  variableCollectionUpsert: `mutation variableCollectionUpsert($input: VariableCollectionUpsertInput!) {
  variableCollectionUpsert(input: $input)
}`,
  volumeCreate: `mutation volumeCreate($input: VolumeCreateInput!) {
  volumeCreate(input: $input) { id name }
}`,
  // Returns the new deployment's id (a String), which `deployment` is then polled with.
  serviceInstanceDeployV2: `mutation serviceInstanceDeployV2($serviceId: String!, $environmentId: String!) {
  serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId)
}`,
  deployment: `query deployment($id: String!) {
  deployment(id: $id) { id status }
}`,
} as const;

export type OpName = keyof typeof OPS;

/** Railway's deployment statuses (Manage Deployments guide). */
export type DeploymentStatus =
  | 'BUILDING'
  | 'DEPLOYING'
  | 'INITIALIZING'
  | 'QUEUED'
  | 'WAITING'
  | 'SUCCESS'
  | 'FAILED'
  | 'CRASHED'
  | 'REMOVED'
  | 'SLEEPING'
  | 'SKIPPED';

const IN_PROGRESS: ReadonlySet<string> = new Set(['BUILDING', 'DEPLOYING', 'INITIALIZING', 'QUEUED', 'WAITING']);

/** SUCCESS is done, anything still moving is pending, everything else (a sleeping database too) failed. */
export function deploymentOutcome(status: string): 'success' | 'pending' | 'failed' {
  if (status === 'SUCCESS') return 'success';
  return IN_PROGRESS.has(status) ? 'pending' : 'failed';
}

export interface OpVariables {
  projectServices: { id: string };
  serviceInstance: { serviceId: string; environmentId: string };
  variables: { projectId: string; environmentId: string };
  serviceCreate: { input: { projectId: string; environmentId: string; name: string } };
  serviceInstanceUpdate: { serviceId: string; environmentId: string; input: { source: { image: string } } };
  variableCollectionUpsert: {
    input: { projectId: string; environmentId: string; serviceId?: string; variables: Record<string, string>; skipDeploys: boolean };
  };
  volumeCreate: { input: { projectId: string; environmentId: string; serviceId: string; mountPath: string } };
  serviceInstanceDeployV2: { serviceId: string; environmentId: string };
  deployment: { id: string };
}

export interface OpResults {
  projectServices: { project: { services: { edges: { node: { id: string; name: string } }[] } } };
  serviceInstance: { serviceInstance: { source: { image: string | null } | null; latestDeployment: { id: string; status: string } | null } | null };
  variables: { variables: Record<string, string> };
  serviceCreate: { serviceCreate: { id: string; name: string } };
  serviceInstanceUpdate: { serviceInstanceUpdate: boolean };
  variableCollectionUpsert: { variableCollectionUpsert: boolean };
  volumeCreate: { volumeCreate: { id: string; name: string } };
  serviceInstanceDeployV2: { serviceInstanceDeployV2: string };
  deployment: { deployment: { id: string; status: string } };
}
