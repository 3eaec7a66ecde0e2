// Every DeploymentStatus Railway's schema has (../shared/railway/schema.graphql), and what
// each means to a rollout. The switch is exhaustive: a status added to the list without a
// meaning fails to compile, and a unit test fails when the schema has one the list lacks.

export const DEPLOYMENT_STATUSES = [
  'BUILDING',
  'CRASHED',
  'DEPLOYING',
  'FAILED',
  'INITIALIZING',
  'NEEDS_APPROVAL',
  'QUEUED',
  'REMOVED',
  'REMOVING',
  'SKIPPED',
  'SLEEPING',
  'SUCCESS',
  'WAITING',
] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export const isDeploymentStatus = (s: string): s is DeploymentStatus => (DEPLOYMENT_STATUSES as readonly string[]).includes(s);

/**
 * in-progress: keep polling. started: the container runs, which is NOT ready (Railway says
 * SUCCESS at container start when there is no HTTP healthcheck, and a database has none).
 * awaiting-approval: stop, a person must approve. down: the deployment is not running and
 * won't be: roll back.
 */
export type StatusMeaning = 'in-progress' | 'started' | 'awaiting-approval' | 'down';

export function meaningOf(s: DeploymentStatus): { meaning: StatusMeaning; note: string } {
  switch (s) {
    case 'QUEUED':
      return { meaning: 'in-progress', note: 'queued' };
    case 'BUILDING':
      return { meaning: 'in-progress', note: 'building' };
    case 'INITIALIZING':
      return { meaning: 'in-progress', note: 'initializing' };
    case 'DEPLOYING':
      return { meaning: 'in-progress', note: 'deploying' };
    case 'SUCCESS':
      return { meaning: 'started', note: 'the container started (Railway has no HTTP healthcheck for a database: not yet ready)' };
    case 'NEEDS_APPROVAL':
      return { meaning: 'awaiting-approval', note: 'needs approval in Railway' };
    case 'WAITING':
      return { meaning: 'awaiting-approval', note: 'waiting for approval in Railway' };
    case 'CRASHED':
      return { meaning: 'down', note: 'the container exited' };
    case 'FAILED':
      return { meaning: 'down', note: 'the deployment failed' };
    case 'REMOVING':
    case 'REMOVED':
      return { meaning: 'down', note: 'the deployment was removed (another deploy replaced it, or someone removed it)' };
    case 'SKIPPED':
      return { meaning: 'down', note: 'Railway skipped the deployment' };
    case 'SLEEPING':
      return { meaning: 'down', note: 'the service sleeps (App Sleeping): a database node must not' };
    default:
      return unreachable(s);
  }
}

function unreachable(s: never): never {
  throw new Error(`DeploymentStatus ${String(s)} has no meaning in deployment-status.ts`);
}
