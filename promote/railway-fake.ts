// A stand-in for Railway's GraphQL API v2 on 127.0.0.1, for tests. It executes requests
// with graphql-js on Railway's published schema (railway-schema.ts), so it rejects what
// Railway rejects: an unknown field, a wrong argument, a variable that doesn't coerce. On
// top of that it behaves as Railway does where a rollout can go wrong: SUCCESS as soon as
// a container starts and CRASHED possibly after, logs through `deploymentLogs`, approval
// states, private images that need registry credentials, and serviceCreate /
// serviceInstanceUpdate on a non-fork environment changing every non-fork environment.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { graphql, Kind, parse, type OperationDefinitionNode } from 'graphql';
import type { DeploymentStatus } from './deployment-status.ts';
import { railwaySchema, requestErrors } from './railway-schema.ts';
import type { RegistryCredentials } from './railway-operations.ts';

export interface FakeCall {
  op: 'query' | 'mutation';
  field: string;
  variables: Record<string, unknown>;
  /** What the fake rejected the request with (absent: it was accepted). */
  errors?: string[];
}

export interface FakeEnvironment {
  id: string;
  name: string;
  /** The id of the environment it was forked from. */
  forkOf?: string;
}

/** A service's settings and state in one environment. */
export interface FakeInstance {
  image: string | null;
  registryCredentials?: RegistryCredentials;
  sleepApplication?: boolean;
  drainingSeconds?: number;
  variables: Record<string, string>;
  volumes: string[];
}

export interface FakeService {
  id: string;
  name: string;
  instances: Map<string, FakeInstance>;
}

/** How a deployment goes, poll by poll of `deployment`. */
export interface DeployScript {
  /** Statuses on successive polls; the last one sticks. */
  statuses: DeploymentStatus[];
  /** The poll (1-based) from which the node's ready line is in its logs; absent: never. */
  readyAt?: number;
  /** The poll from which the ready line appears a second time: the container restarted. */
  restartAt?: number;
}

export const SCRIPTS = {
  healthy: { statuses: ['QUEUED', 'INITIALIZING', 'DEPLOYING', 'SUCCESS'], readyAt: 5 },
  /** Railway's SUCCESS at container start, the ready line, then the container exits. */
  crashAfterReady: { statuses: ['QUEUED', 'DEPLOYING', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'CRASHED'], readyAt: 4 },
  /** SUCCESS at container start, and PostgreSQL never says it is ready. */
  neverReady: { statuses: ['QUEUED', 'DEPLOYING', 'SUCCESS'] },
  restartsAfterReady: { statuses: ['QUEUED', 'SUCCESS'], readyAt: 3, restartAt: 5 },
  failed: { statuses: ['QUEUED', 'DEPLOYING', 'FAILED'] },
  needsApproval: { statuses: ['NEEDS_APPROVAL'] },
  waiting: { statuses: ['WAITING'] },
} satisfies Record<string, DeployScript>;

interface FakeDeployment {
  id: string;
  serviceId: string;
  environmentId: string;
  image: string;
  script: DeployScript;
  polls: number;
  /** Why it failed to start, logged instead of the node's lines (e.g. an image pull denied). */
  pullError?: string;
}

export interface FakeOptions {
  /** Accepted tokens: as Bearer (account) or Project-Access-Token (project). */
  token: string;
  projectId: string;
  /** Default: one environment, `environmentId`, named production, not a fork. */
  environments?: FakeEnvironment[];
  /** The environment the helpers (instance, seedService) use when none is named. */
  environmentId: string;
  /** A registry whose images Railway pulls only with these credentials. */
  privateRegistry?: { host: string } & RegistryCredentials;
}

export interface RailwayFake {
  url: string;
  calls: FakeCall[];
  services: Map<string, FakeService>;
  shared: Record<string, string>;
  /** A service's state in an environment (default: the options' environmentId). */
  instance(service: string, environmentId?: string): FakeInstance | undefined;
  /** The next deployment of `service` (to `image`, if given) follows `script`. */
  scriptNextDeploy(service: string, script: DeployScript, image?: string): void;
  /** A person approves the service's deployment that awaits approval: it then starts as healthy. */
  approve(service: string, environmentId?: string): void;
  /** Seed a service as deployed and ready before (for upgrades), in the given environments. */
  /** image null: created and nothing more (a first deploy that stopped after serviceCreate). */
  seedService(name: string, image: string | null, opts?: { environments?: string[]; volume?: string | null; variables?: Record<string, string> }): void;
  close(): Promise<void>;
}

/** Each image's ready line, as the images log it (see promote/readiness.ts). */
function readyLineOf(image: string, service: string): string {
  if (/\/pgha\/pgpool@/.test(image)) return `[pgha 12:00:01.000 ${service}] starting pgpool-II 4.6.1 on port 5432`;
  if (/\/pgha\/proxysql@/.test(image)) return '2026-01-01 12:00:01 [INFO] ProxySQL version 3.0.3 started';
  return `[pgha 12:00:01.000 ${service}] node ready; starting repmgrd`;
}

export async function startRailwayFake(opts: FakeOptions): Promise<RailwayFake> {
  const schema = railwaySchema();
  const environments = opts.environments ?? [{ id: opts.environmentId, name: 'production' }];
  const calls: FakeCall[] = [];
  const services = new Map<string, FakeService>();
  const deployments = new Map<string, FakeDeployment>();
  const shared: Record<string, string> = {};
  const scripts: { service: string; script: DeployScript; image?: string }[] = [];
  let seq = 0;
  const id = (p: string) => `${p}-${++seq}`;

  const fail = (what: string): never => {
    throw new Error(what);
  };
  const environment = (envId: unknown) => environments.find((e) => e.id === envId) ?? fail(`unknown environment ${String(envId)}`);
  const project = (v: unknown) => v === opts.projectId || fail(`unknown project ${String(v)}`);
  const byId = (sid: unknown) => [...services.values()].find((x) => x.id === sid) ?? fail(`no service ${String(sid)}`);
  const instanceIn = (s: FakeService, envId: unknown) => s.instances.get(environment(envId).id) ?? fail(`${s.name} has no instance in ${String(envId)}`);
  /** Railway: a change given a non-fork environment applies to every non-fork environment. */
  const reach = (envId: unknown): FakeEnvironment[] => {
    const e = environment(envId);
    return e.forkOf ? [e] : environments.filter((x) => !x.forkOf);
  };
  const status = (d: FakeDeployment): DeploymentStatus => d.script.statuses[Math.min(Math.max(d.polls, 1), d.script.statuses.length) - 1]!;
  const latest = (s: FakeService, envId: string) => [...deployments.values()].filter((d) => d.serviceId === s.id && d.environmentId === envId).pop();

  /** With no script given, the next one scripted for this service (and image), else healthy. */
  function startDeployment(s: FakeService, envId: string, image: string, given?: DeployScript): FakeDeployment {
    const i = given ? -1 : scripts.findIndex((x) => x.service === s.name && (!x.image || x.image === image));
    const script = given ?? (i >= 0 ? scripts.splice(i, 1)[0]!.script : SCRIPTS.healthy);
    const d: FakeDeployment = { id: id('dep'), serviceId: s.id, environmentId: envId, image, script, polls: 0 };
    const reg = opts.privateRegistry;
    const creds = s.instances.get(envId)?.registryCredentials;
    if (reg && image.startsWith(`${reg.host}/`) && (creds?.username !== reg.username || creds?.password !== reg.password)) {
      d.script = SCRIPTS.failed;
      d.pullError = `pull access denied for ${image}: no or wrong registry credentials`;
    }
    deployments.set(d.id, d);
    return d;
  }

  function logsOf(d: FakeDeployment): string[] {
    if (d.pullError) return [d.pullError];
    const name = byId(d.serviceId).name;
    const lines = [`[pgha 12:00:00.000 ${name}] starting`];
    if (d.script.readyAt !== undefined && d.polls >= d.script.readyAt) lines.push(readyLineOf(d.image, name));
    if (d.script.restartAt !== undefined && d.polls >= d.script.restartAt) lines.push(`[pgha 12:00:09.000 ${name}] starting`, readyLineOf(d.image, name));
    return lines;
  }

  const pageOf = <T>(xs: T[]) => ({ edges: xs.map((node) => ({ node })), pageInfo: { hasNextPage: false } });

  // Arguments arrive checked and coerced by graphql-js against the schema: the types here say what it let through.
  type Args = Record<string, string | undefined>;
  const root: Record<string, (args: never) => unknown> = {
    project: ({ id: pid }: Args) => {
      project(pid);
      return {
        services: pageOf([...services.values()].map((s) => ({ id: s.id, name: s.name }))),
        environments: pageOf(
          environments.map((e) => ({
            id: e.id,
            name: e.name,
            sourceEnvironment: e.forkOf ? { id: e.forkOf, name: environment(e.forkOf).name } : null,
            volumeInstances: pageOf([...services.values()].flatMap((s) => (s.instances.get(e.id)?.volumes ?? []).map((mountPath) => ({ serviceId: s.id, mountPath })))),
          })),
        ),
      };
    },
    serviceInstance: ({ serviceId, environmentId }: Args) => {
      const s = byId(serviceId);
      const inst = instanceIn(s, environmentId);
      const d = latest(s, environment(environmentId).id);
      return { source: inst.image ? { image: inst.image } : null, latestDeployment: d ? { id: d.id, status: status(d), meta: { image: d.image } } : null };
    },
    variables: ({ projectId, environmentId, serviceId }: Args) => {
      project(projectId);
      environment(environmentId);
      return serviceId ? { ...instanceIn(byId(serviceId), environmentId).variables } : { ...shared };
    },
    serviceCreate: ({ input }: { input: { projectId: string; environmentId?: string; name?: string; source?: unknown } }) => {
      project(input.projectId);
      if (!input.name) fail('serviceCreate: this client names every service');
      if (input.source) fail('serviceCreate: this client creates services empty (with a source Railway deploys at once)');
      if ([...services.values()].some((s) => s.name === input.name)) fail(`service ${input.name} exists`);
      const s: FakeService = { id: id('svc'), name: input.name!, instances: new Map() };
      for (const e of reach(input.environmentId)) s.instances.set(e.id, { image: null, variables: {}, volumes: [] });
      services.set(s.name, s);
      return { id: s.id, name: s.name };
    },
    serviceInstanceUpdate: ({ serviceId, environmentId, input }: { serviceId: string; environmentId: string; input: Partial<FakeInstance> & { source?: { image?: string } } }) => {
      const s = byId(serviceId);
      const image = input.source?.image;
      if (image && !/@sha256:[0-9a-f]{64}$/.test(image)) fail('serviceInstanceUpdate: image must be pinned by digest');
      for (const e of reach(environmentId)) {
        const inst = instanceIn(s, e.id);
        if (image) inst.image = image;
        for (const k of ['registryCredentials', 'sleepApplication', 'drainingSeconds'] as const) if (input[k] !== undefined) Object.assign(inst, { [k]: input[k] });
      }
      return true;
    },
    variableCollectionUpsert: ({ input }: { input: { projectId: string; environmentId: string; serviceId?: string; skipDeploys: boolean; variables: Record<string, unknown> } }) => {
      project(input.projectId);
      environment(input.environmentId);
      if (!input.skipDeploys) fail('variableCollectionUpsert: without skipDeploys Railway redeploys at once');
      for (const val of Object.values(input.variables)) if (typeof val !== 'string') fail('variables are strings');
      Object.assign(input.serviceId ? instanceIn(byId(input.serviceId), input.environmentId).variables : shared, input.variables);
      return true;
    },
    volumeCreate: ({ input }: { input: { projectId: string; environmentId?: string; serviceId?: string; mountPath: string } }) => {
      project(input.projectId);
      const s = byId(input.serviceId);
      const inst = instanceIn(s, input.environmentId);
      if (inst.volumes.length > 0) fail(`${s.name} already has a volume in this environment`);
      inst.volumes.push(input.mountPath);
      return { id: id('vol'), name: `${s.name}-volume` };
    },
    serviceInstanceDeployV2: ({ serviceId, environmentId }: Args) => {
      const s = byId(serviceId);
      const inst = instanceIn(s, environmentId);
      return startDeployment(s, environment(environmentId).id, inst.image ?? fail(`${s.name} has no source image`)).id;
    },
    deployment: ({ id: did }: Args) => {
      const d = deployments.get(did ?? '') ?? fail(`no deployment ${String(did)}`);
      d.polls++;
      return { id: d.id, status: status(d) };
    },
    deploymentLogs: ({ deploymentId, filter, limit }: { deploymentId: string; filter?: string; limit?: number }) => {
      const d = deployments.get(deploymentId) ?? fail(`no deployment ${deploymentId}`);
      const lines = logsOf(d).filter((m) => !filter || m.toLowerCase().includes(filter.toLowerCase()));
      return lines.slice(-(limit ?? 500)).map((message) => ({ message, timestamp: '2026-01-01T12:00:01Z' }));
    },
    deploymentRollback: ({ id: did }: Args) => {
      const d = deployments.get(did ?? '') ?? fail(`no deployment ${String(did)}`);
      startDeployment(byId(d.serviceId), d.environmentId, d.image);
      return true;
    },
  };

  const authorized = (req: IncomingMessage) => req.headers.authorization === `Bearer ${opts.token}` || req.headers['project-access-token'] === opts.token;

  async function handle(raw: string): Promise<{ code: number; body: unknown }> {
    const body = JSON.parse(raw) as { query?: unknown; variables?: Record<string, unknown>; operationName?: string };
    const source = typeof body.query === 'string' ? body.query : '';
    const variables = body.variables ?? {};
    const invalid = requestErrors(schema, source, variables);
    const op = invalid.length ? undefined : (parse(source).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode);
    const first = op?.selectionSet.selections[0];
    const call: FakeCall = { op: op?.operation === 'mutation' ? 'mutation' : 'query', field: first?.kind === Kind.FIELD ? first.name.value : '?', variables };
    calls.push(call);
    // As a GraphQL-over-HTTP server answers a request that doesn't validate: 400, no data.
    if (invalid.length) {
      call.errors = invalid;
      return { code: 400, body: { errors: invalid.map((message) => ({ message })) } };
    }
    const result = await graphql({ schema, source, rootValue: root, variableValues: variables, ...(body.operationName ? { operationName: body.operationName } : {}) });
    if (result.errors?.length) call.errors = result.errors.map((e) => e.message);
    return { code: 200, body: result };
  }

  const server: Server = createServer((req, res) => {
    const reply = (code: number, body: unknown) => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/graphql/v2') return reply(404, { errors: [{ message: 'not found' }] });
    if (!authorized(req)) return reply(401, { errors: [{ message: 'Not Authorized' }] });
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      handle(raw).then(
        (r) => reply(r.code, r.body),
        (e: Error) => reply(400, { errors: [{ message: e.message }] }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql/v2`,
    calls,
    services,
    shared,
    instance: (name, envId = opts.environmentId) => services.get(name)?.instances.get(envId),
    approve(service, envId = opts.environmentId) {
      const s = services.get(service) ?? fail(`no service ${service}`);
      const d = latest(s, envId) ?? fail(`${service} has no deployment`);
      d.script = SCRIPTS.healthy;
      d.polls = 0;
    },
    scriptNextDeploy(service, script, image) {
      scripts.push({ service, script, ...(image ? { image } : {}) });
    },
    seedService(name, image, o = {}) {
      const s: FakeService = { id: id('svc'), name, instances: new Map() };
      services.set(name, s);
      for (const envId of o.environments ?? [opts.environmentId]) {
        const volume = o.volume === undefined ? (/^pg-/.test(name) ? '/var/lib/postgresql/data' : null) : o.volume;
        s.instances.set(envId, { image, variables: { ...o.variables }, volumes: volume ? [volume] : [] });
        if (image) startDeployment(s, envId, image, SCRIPTS.healthy).polls = 100;
      }
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
