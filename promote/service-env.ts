// The variables each Railway service gets, from the topology table. Secrets are never in
// here: services get Railway references to shared variables (`${{shared.NAME}}`, resolved
// by Railway at deploy time), so a plan can be printed, logged and diffed.
import { DATA_VOLUME, dataNodes, PRIMARY_HINT, type NodeSpec } from '../model/topology.ts';

export { DATA_VOLUME };

export const HOST_SUFFIX = '.railway.internal';
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
