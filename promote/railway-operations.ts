// Every request the rollout sends to Railway's public GraphQL API v2
// (https://backboard.railway.com/graphql/v2). Each one validates against Railway's published
// schema (../shared/railway/schema.graphql): railway-operations.test.ts checks every
// operation here, and the fake (railway-fake.ts) executes them on that schema, variables
// included.
import type { DeploymentStatus } from './deployment-status.ts';

export const OPS = {
  // Services, and environments with what the scope check needs: which are forks, and
  // which volumes each environment's services have mounted where.
  project: `query project($id: String!) {
  project(id: $id) {
    services { edges { node { id name } } pageInfo { hasNextPage } }
    environments {
      edges {
        node {
          id
          name
          sourceEnvironment { id name }
          volumeInstances { edges { node { serviceId mountPath } } pageInfo { hasNextPage } }
        }
      }
      pageInfo { hasNextPage }
    }
  }
}`,
  serviceInstance: `query serviceInstance($serviceId: String!, $environmentId: String!) {
  serviceInstance(serviceId: $serviceId, environmentId: $environmentId) {
    source { image }
    latestDeployment { id status meta }
  }
}`,
  // Shared variables: `variables` without a serviceId. Only the names are used.
  variables: `query variables($projectId: String!, $environmentId: String!) {
  variables(projectId: $projectId, environmentId: $environmentId)
}`,
  serviceCreate: `mutation serviceCreate($input: ServiceCreateInput!) {
  serviceCreate(input: $input) { id name }
}`,
  serviceInstanceUpdate: `mutation serviceInstanceUpdate($serviceId: String!, $environmentId: String!, $input: ServiceInstanceUpdateInput!) {
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
  // The node's own log: its ready line is what "ready" means (Railway can't healthcheck it).
  deploymentLogs: `query deploymentLogs($deploymentId: String!, $filter: String, $limit: Int) {
  deploymentLogs(deploymentId: $deploymentId, filter: $filter, limit: $limit) { message timestamp }
}`,
  // Redeploys an earlier deployment of the service (its image and settings).
  deploymentRollback: `mutation deploymentRollback($id: String!) {
  deploymentRollback(id: $id)
}`,
} as const;

export type OpName = keyof typeof OPS;

export interface RegistryCredentials {
  username: string;
  password: string;
}

/** What the rollout sets on a service instance with each image change. */
export interface InstanceUpdate {
  source: { image: string };
  /** Only when the registry needs auth (REGISTRY_USERNAME/PASSWORD): Railway pulls with it. */
  registryCredentials?: RegistryCredentials;
  /** A database node must never be put to sleep by Railway's App Sleeping. */
  sleepApplication: boolean;
  /** SIGTERM -> SIGKILL time on a redeploy; Railway's default (3 s) may cut a clean stop short. */
  drainingSeconds?: number;
}

export interface OpVariables {
  project: { id: string };
  serviceInstance: { serviceId: string; environmentId: string };
  variables: { projectId: string; environmentId: string };
  serviceCreate: { input: { projectId: string; environmentId: string; name: string } };
  serviceInstanceUpdate: { serviceId: string; environmentId: string; input: InstanceUpdate };
  variableCollectionUpsert: {
    input: { projectId: string; environmentId: string; serviceId?: string; variables: Record<string, string>; skipDeploys: boolean };
  };
  volumeCreate: { input: { projectId: string; environmentId: string; serviceId: string; mountPath: string } };
  serviceInstanceDeployV2: { serviceId: string; environmentId: string };
  deployment: { id: string };
  deploymentLogs: { deploymentId: string; filter?: string; limit: number };
  deploymentRollback: { id: string };
}

interface Page<T> {
  edges: { node: T }[];
  pageInfo: { hasNextPage: boolean };
}

export interface EnvironmentNode {
  id: string;
  name: string;
  sourceEnvironment: { id: string; name: string } | null;
  volumeInstances: Page<{ serviceId: string | null; mountPath: string }>;
}

export interface OpResults {
  project: { project: { services: Page<{ id: string; name: string }>; environments: Page<EnvironmentNode> } };
  serviceInstance: {
    serviceInstance: {
      source: { image: string | null } | null;
      /** `meta` is Railway's free-form JSON; for an image deployment it names the image (`meta.image`). */
      latestDeployment: { id: string; status: DeploymentStatus; meta: unknown } | null;
    };
  };
  variables: { variables: Record<string, string> };
  serviceCreate: { serviceCreate: { id: string; name: string } };
  serviceInstanceUpdate: { serviceInstanceUpdate: boolean };
  variableCollectionUpsert: { variableCollectionUpsert: boolean };
  volumeCreate: { volumeCreate: { id: string; name: string } };
  serviceInstanceDeployV2: { serviceInstanceDeployV2: string };
  deployment: { deployment: { id: string; status: string } };
  deploymentLogs: { deploymentLogs: { message: string; timestamp: string }[] };
  deploymentRollback: { deploymentRollback: boolean };
}
