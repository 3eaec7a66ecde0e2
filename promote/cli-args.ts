// `npm run promote` flags: read by the entry points' one strict reader (fixtures/cli-args.ts),
// then checked here. An unknown or malformed flag is an error (exit 2) before anything is
// read, pushed or changed.
import { isNodeName, type NodeName } from '../model/topology.ts';
import type { ProxyFlavor } from '../model/proxy-contract.ts';
import { readCli, type CliValues } from '../fixtures/cli-args.ts';

export interface PromoteArgs {
  apply: boolean;
  proxy?: ProxyFlavor;
  primary: NodeName;
  postgresImage: string;
  routerImage?: string;
}
export class UsageError extends Error {}

export const USAGE = `usage: npm run promote -- [--apply] [--proxy pgpool|proxysql] [--primary pg-N]
                           [--postgres-image REF] [--router-image REF]

Promotes the images a \`npm test\` run verified (every required claim proven; records in
.pgha/verified/) to REGISTRY, then rolls them out on Railway. Dry-run (the default) prints
the claims, the plan and changes nothing.

  --apply            push and change Railway
  --proxy            router flavor (default: the one the newest record of the postgres image verified)
  --primary          the current primary, redeployed after the standbys in an upgrade (default pg-1)
  --postgres-image   local image to promote (default pgha/postgres:local)
  --router-image     local router image (default pgha/<flavor>:local)

env: REGISTRY, REGISTRY_USERNAME, REGISTRY_PASSWORD; RAILWAY_API_TOKEN (account/workspace)
or RAILWAY_TOKEN (project); RAILWAY_PROJECT_ID, RAILWAY_ENVIRONMENT_ID (a fork, or the
project's only non-fork environment); POSTGRES_PASSWORD, REPMGR_PASSWORD, APP_PASSWORD,
PROXYSQL_ADMIN_PASSWORD (first deploy; generated when unset). Exit: 0 done, 1 rollout failed
(rolled back), 2 refused (nothing changed), 3 stopped at a deployment awaiting approval.`;

/** The flags, for the reader; the two gone ones only so that their use says why. */
export const PROMOTE_OPTIONS = {
  apply: { type: 'boolean', default: false },
  proxy: { type: 'string' },
  primary: { type: 'string', default: 'pg-1' },
  'postgres-image': { type: 'string', default: 'pgha/postgres:local' },
  'router-image': { type: 'string' },
  'switchover-to': { type: 'string' },
  'switchover-done': { type: 'boolean' },
} as const;

/** What the flags ask for; `help` when --help or -h was given. Throws a UsageError on a bad flag. */
export function promoteArgs(argv: readonly string[]): PromoteArgs | 'help' {
  const read = readCli(argv, PROMOTE_OPTIONS);
  if (read.kind === 'help') return 'help';
  if (read.kind === 'error') throw new UsageError(read.message);
  return checked(read.values);
}

function checked(v: CliValues<typeof PROMOTE_OPTIONS>): PromoteArgs {
  for (const gone of ['switchover-to', 'switchover-done'] as const) {
    if (v[gone] !== undefined) throw new UsageError(`--${gone} is gone: an upgrade needs no switchover now (standbys first, then the primary's redeploy fails over cleanly)`);
  }
  if (v.proxy !== undefined && v.proxy !== 'pgpool' && v.proxy !== 'proxysql') throw new UsageError(`--proxy ${v.proxy}: use pgpool or proxysql`);
  if (!isNodeName(v.primary)) throw new UsageError(`--primary needs a node name (pg-1..pg-4), got ${v.primary}`);
  return {
    apply: v.apply,
    primary: v.primary,
    postgresImage: v['postgres-image'],
    ...(v.proxy ? { proxy: v.proxy } : {}),
    ...(v['router-image'] ? { routerImage: v['router-image'] } : {}),
  };
}
