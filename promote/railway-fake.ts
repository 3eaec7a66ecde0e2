// A stand-in for Railway's GraphQL API v2 on 127.0.0.1, for tests: it speaks the
// operations in railway-operations.ts (dispatching on the root field, validating the
// variable shapes the client relies on), records every call, and can be told to fail the
// deployment of a given service. Not a GraphQL engine: one root field per operation.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeploymentStatus } from './railway-operations.ts';

export interface FakeCall {
  op: 'query' | 'mutation';
  field: string;
  variables: Record<string, unknown>;
}

interface FakeService {
  id: string;
  name: string;
  image: string | null;
  variables: Record<string, string>;
  volumes: string[];
}

interface FakeDeployment {
  id: string;
  serviceId: string;
  image: string | null;
  /** The statuses it reports on successive polls; the last one sticks. */
  script: DeploymentStatus[];
  polls: number;
}

export interface RailwayFake {
  url: string;
  calls: FakeCall[];
  services: Map<string, FakeService>;
  shared: Record<string, string>;
  /** The next deployment of `service` (to `image`, if given) ends in `status`. */
  failNextDeploy(service: string, status?: 'FAILED' | 'CRASHED', image?: string): void;
  /** Seed a service as if deployed before (for upgrades). */
  seedService(name: string, image: string, variables?: Record<string, string>): void;
  close(): Promise<void>;
}

class BadRequest extends Error {}

function need(cond: unknown, what: string): asserts cond {
  if (!cond) throw new BadRequest(what);
}
const isStr = (x: unknown): x is string => typeof x === 'string' && x.length > 0;
const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);

/** `mutation name($a: T!) { field(...` -> ['mutation', 'field'] */
export function rootField(query: string): { op: 'query' | 'mutation'; field: string } {
  const m = query.match(/^\s*(query|mutation)\b[^{]*\{\s*([A-Za-z_]\w*)/);
  if (!m) throw new BadRequest('could not find the operation and its root field');
  return { op: m[1] as 'query' | 'mutation', field: m[2]! };
}

export interface FakeOptions {
  /** Accepted tokens: as Bearer (account) or Project-Access-Token (project). */
  token: string;
  projectId: string;
  environmentId: string;
  /** Polls a deployment reports before its verdict. */
  pollsBeforeVerdict?: number;
}

export async function startRailwayFake(opts: FakeOptions): Promise<RailwayFake> {
  const calls: FakeCall[] = [];
  const services = new Map<string, FakeService>();
  const deployments = new Map<string, FakeDeployment>();
  const shared: Record<string, string> = {};
  const failures: { service: string; status: DeploymentStatus; image?: string }[] = [];
  let seq = 0;
  const id = (p: string) => `${p}-${++seq}`;
  const steps = opts.pollsBeforeVerdict ?? 2;
  const byId = (sid: unknown) => {
    const s = [...services.values()].find((x) => x.id === sid);
    need(s, `no service ${String(sid)}`);
    return s;
  };
  const env = (v: unknown) => need(v === opts.environmentId, `unknown environment ${String(v)}`);
  const project = (v: unknown) => need(v === opts.projectId, `unknown project ${String(v)}`);

  const resolvers: Record<string, (v: Record<string, unknown>) => unknown> = {
    project: (v) => {
      project(v.id);
      return { services: { edges: [...services.values()].map((s) => ({ node: { id: s.id, name: s.name } })) } };
    },
    serviceInstance: (v) => {
      env(v.environmentId);
      const s = byId(v.serviceId);
      const last = [...deployments.values()].filter((d) => d.serviceId === s.id).pop();
      return { source: s.image ? { image: s.image } : null, latestDeployment: last ? { id: last.id, status: status(last) } : null };
    },
    variables: (v) => {
      project(v.projectId);
      env(v.environmentId);
      return v.serviceId ? { ...byId(v.serviceId).variables } : { ...shared };
    },
    serviceCreate: (v) => {
      const input = v.input;
      need(isObj(input) && isStr(input.name), 'serviceCreate: input.name');
      project(input.projectId);
      need(!input.source, 'serviceCreate: this client creates services empty');
      need(![...services.values()].some((s) => s.name === input.name), `service ${input.name} exists`);
      const s: FakeService = { id: id('svc'), name: input.name, image: null, variables: {}, volumes: [] };
      services.set(s.name, s);
      return { id: s.id, name: s.name };
    },
    serviceInstanceUpdate: (v) => {
      env(v.environmentId);
      const s = byId(v.serviceId);
      const input = v.input;
      need(isObj(input) && isObj(input.source) && isStr(input.source.image), 'serviceInstanceUpdate: input.source.image');
      need(/@sha256:[0-9a-f]{64}$/.test(input.source.image), 'serviceInstanceUpdate: image must be pinned by digest');
      s.image = input.source.image;
      return true;
    },
    variableCollectionUpsert: (v) => {
      const input = v.input;
      need(isObj(input) && isObj(input.variables), 'variableCollectionUpsert: input.variables');
      project(input.projectId);
      env(input.environmentId);
      need(input.skipDeploys === true, 'variableCollectionUpsert: without skipDeploys Railway redeploys at once');
      for (const val of Object.values(input.variables)) need(typeof val === 'string', 'variables are strings');
      const target = input.serviceId ? byId(input.serviceId).variables : shared;
      Object.assign(target, input.variables);
      return true;
    },
    volumeCreate: (v) => {
      const input = v.input;
      need(isObj(input) && isStr(input.mountPath), 'volumeCreate: input.mountPath');
      project(input.projectId);
      env(input.environmentId);
      const s = byId(input.serviceId);
      s.volumes.push(input.mountPath);
      return { id: id('vol'), name: `${s.name}-volume` };
    },
    serviceInstanceDeployV2: (v) => {
      env(v.environmentId);
      const s = byId(v.serviceId);
      need(s.image, `${s.name} has no source image`);
      const i = failures.findIndex((f) => f.service === s.name && (!f.image || f.image === s.image));
      const verdict: DeploymentStatus = i >= 0 ? failures.splice(i, 1)[0]!.status : 'SUCCESS';
      const d: FakeDeployment = { id: id('dep'), serviceId: s.id, image: s.image, polls: 0, script: [...Array<DeploymentStatus>(steps).fill('DEPLOYING'), verdict] };
      d.script[0] = 'QUEUED';
      deployments.set(d.id, d);
      return d.id;
    },
    deployment: (v) => {
      const d = deployments.get(String(v.id));
      need(d, `no deployment ${String(v.id)}`);
      d.polls++;
      return { id: d.id, status: status(d) };
    },
  };
  function status(d: FakeDeployment): DeploymentStatus {
    return d.script[Math.min(d.polls, d.script.length) - 1] ?? d.script[0]!;
  }

  const authorized = (req: IncomingMessage) =>
    req.headers.authorization === `Bearer ${opts.token}` || req.headers['project-access-token'] === opts.token;

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
      try {
        const body = JSON.parse(raw) as { query?: unknown; variables?: unknown };
        need(isStr(body.query), 'query');
        const variables = isObj(body.variables) ? body.variables : {};
        const { op, field } = rootField(body.query);
        const resolve = resolvers[field];
        need(resolve, `unknown field ${field}`);
        calls.push({ op, field, variables });
        reply(200, { data: { [field]: resolve(variables) } });
      } catch (e) {
        reply(e instanceof BadRequest ? 400 : 500, { errors: [{ message: (e as Error).message }] });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql/v2`,
    calls,
    services,
    shared,
    failNextDeploy(service, status = 'FAILED', image) {
      failures.push({ service, status, image });
    },
    seedService(name, image, variables = {}) {
      const s: FakeService = { id: id('svc'), name, image, variables: { ...variables }, volumes: [] };
      services.set(name, s);
      const d: FakeDeployment = { id: id('dep'), serviceId: s.id, image, script: ['SUCCESS'], polls: 1 };
      deployments.set(d.id, d);
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
