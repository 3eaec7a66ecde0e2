// The variables each Railway service gets, from the topology table. Secrets are never in
// here: services get Railway references to shared variables (`${{shared.NAME}}`, resolved
// by Railway at deploy time), so a plan can be printed, logged and diffed. The cluster
// under test boots on the very same variables, with the run's secrets in the references'
// place: what the suites prove is what the rollout sets.
import { DATA_VOLUME, dataNodes, HOST_SUFFIX, PRIMARY_HINT, privateHost, type NodeSpec } from './topology.ts';
import type { ClusterSecrets } from './secrets.ts';

export { DATA_VOLUME, HOST_SUFFIX };
export const SHARED_SECRETS = ['POSTGRES_PASSWORD', 'REPMGR_PASSWORD', 'APP_PASSWORD', 'PROXYSQL_ADMIN_PASSWORD'] as const;
export type SharedSecret = (typeof SHARED_SECRETS)[number];

export const sharedRef = (name: SharedSecret) => `\${{shared.${name}}}`;

export function serviceVariables(spec: NodeSpec): Record<string, string> {
  if (spec.kind === 'router') {
    return {
      PROXY_NAME: spec.name,
      POSTGRES_HOST_SUFFIX: HOST_SUFFIX,
      APP_PASSWORD: sharedRef('APP_PASSWORD'),
      REPMGR_PASSWORD: sharedRef('REPMGR_PASSWORD'),
      PROXYSQL_ADMIN_PASSWORD: sharedRef('PROXYSQL_ADMIN_PASSWORD'),
    };
  }
  return {
    NODE_NAME: spec.name,
    NODE_ID: String(spec.id),
    PEERS: dataNodes().map((n) => privateHost(n.name)).join(','),
    PRIMARY_HINT,
    HOST_SUFFIX,
    IS_WITNESS: String(spec.kind === 'witness'),
    // Only data nodes have a volume; the witness keeps the image's PGDATA on its own disk.
    ...(spec.volume ? { PGDATA: DATA_VOLUME.pgdata } : {}),
    POSTGRES_PASSWORD: sharedRef('POSTGRES_PASSWORD'),
    REPMGR_PASSWORD: sharedRef('REPMGR_PASSWORD'),
    APP_PASSWORD: sharedRef('APP_PASSWORD'),
  };
}

const SECRET_OF: Record<SharedSecret, keyof ClusterSecrets> = {
  POSTGRES_PASSWORD: 'postgres',
  REPMGR_PASSWORD: 'repmgr',
  APP_PASSWORD: 'app',
  PROXYSQL_ADMIN_PASSWORD: 'proxyAdmin',
};

/** The service's variables as Railway hands them to the container: each shared reference resolved. */
export function resolvedServiceVariables(spec: NodeSpec, secrets: ClusterSecrets): Record<string, string> {
  const refs = new Map(SHARED_SECRETS.map((name) => [sharedRef(name), secrets[SECRET_OF[name]]]));
  return Object.fromEntries(
    Object.entries(serviceVariables(spec)).map(([k, v]) => {
      if (!v.includes('${{')) return [k, v];
      const value = refs.get(v);
      if (value === undefined) throw new Error(`${spec.name}: ${k} refers to ${v}, which no run secret resolves`);
      return [k, value];
    }),
  );
}
