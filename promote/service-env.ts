// The variables each Railway service gets, from the topology table. Secrets are never in
// here: services get Railway references to shared variables (`${{shared.NAME}}`, resolved
// by Railway at deploy time), so a plan can be printed, logged and diffed.
import { dataNodes, PRIMARY_HINT, type NodeSpec } from '../model/topology.ts';

export const HOST_SUFFIX = '.railway.internal';
/**
 * Where a data node's Railway volume is mounted, and PGDATA below it. A Railway volume is an
 * ext4 mount whose root holds a root-owned `lost+found`, and `initdb` refuses a non-empty
 * directory: PGDATA must be a subdirectory of the mount. The rollout sets PGDATA to
 * `pgdata` on each data node; the postgres image must honour the PGDATA variable and create
 * that directory (owned by postgres, 0700) when it is absent.
 */
export const DATA_VOLUME = {
  mountPath: '/var/lib/postgresql/data',
  pgdata: '/var/lib/postgresql/data/pgdata',
} as const;

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
    PEERS: dataNodes().map((n) => `${n.aliases[0]}${HOST_SUFFIX}`).join(','),
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
