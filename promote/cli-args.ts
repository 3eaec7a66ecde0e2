// `npm run promote` flags, parsed strictly: an unknown or malformed flag is an error
// (exit 2) before anything is read, pushed or changed.
import { isNodeName, type NodeName } from '../model/topology.ts';
import type { ProxyFlavor } from '../model/proxy-contract.ts';

export interface PromoteArgs {
  apply: boolean;
  proxy?: ProxyFlavor;
  primary: NodeName;
  postgresImage: string;
  routerImage?: string;
  help: boolean;
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

const node = (flag: string, v: string | undefined): NodeName => {
  if (!v || !isNodeName(v)) throw new UsageError(`${flag} needs a node name (pg-1..pg-4), got ${v ?? 'nothing'}`);
  return v;
};

export function parseArgs(argv: readonly string[]): PromoteArgs {
  const a: PromoteArgs = { apply: false, primary: 'pg-1', postgresImage: 'pgha/postgres:local', help: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--apply': a.apply = true; break;
      case '--help': case '-h': a.help = true; break;
      case '--proxy': {
        const v = value();
        if (v !== 'pgpool' && v !== 'proxysql') throw new UsageError(`--proxy ${v}: use pgpool or proxysql`);
        a.proxy = v;
        break;
      }
      case '--primary': a.primary = node(flag, value()); break;
      case '--switchover-to':
      case '--switchover-done':
        throw new UsageError(`${flag} is gone: an upgrade needs no switchover now (standbys first, then the primary's redeploy fails over cleanly)`);
      case '--postgres-image': a.postgresImage = value(); break;
      case '--router-image': a.routerImage = value(); break;
      default: throw new UsageError(`unknown flag ${flag}`);
    }
  }
  return a;
}
