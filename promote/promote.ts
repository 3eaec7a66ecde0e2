// `npm run promote`: refuse anything not verified (every required claim proven), check the
// images listen on IPv6, check the rollout can stay in its environment, plan it; with
// --apply, push to REGISTRY and carry the plan out. Everything
// that can refuse runs before the first push or mutation, so a refusal leaves nothing
// half-done. Secrets and tokens are redacted from every line written, as a last guard.
import { randomBytes } from 'node:crypto';
import type { ProxyFlavor } from '../model/proxy-contract.ts';
import { promoteArgs, USAGE, UsageError } from './cli-args.ts';
import { formatPlan, formatSummary } from './format.ts';
import { checkListensOnIpv6 } from './ipv6.ts';
import { planRollout, rolloutMode, type Plan } from './plan.ts';
import { SETTLE_MS } from './readiness.ts';
import { authFromEnv, RAILWAY_ENDPOINT, railwayClient } from './railway-api.ts';
import { registryAuthFromEnv, repoFor, tagFor, type PushedImage, type RegistryAuth } from './registry.ts';
import { applyPlan, discover, type Discovered } from './rollout.ts';
import { SHARED_SECRETS, type SharedSecret } from '../model/service-env.ts';
import { readVerifiedDir, verifiedDir, type RecordedImage } from './verified-record.ts';
import { formatVouch, noRecordFor, verifiedFlavorOf, verifyCandidate } from './verify.ts';

export interface PromoteDeps {
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  err: (text: string) => void;
  /** The image ID of a local image, or undefined when there is none. */
  imageId: (ref: string) => Promise<string | undefined>;
  push: (registry: string, images: readonly RecordedImage[], auth?: RegistryAuth) => Promise<PushedImage[]>;
  fetch?: typeof fetch;
  pollIntervalMs?: number;
  deployTimeoutMs?: number;
  /** How long a node must stay up after its ready line (SETTLE_MS unless a test says). */
  settleMs?: number;
}

export const EXIT = { ok: 0, failed: 1, refused: 2, awaitingApproval: 3 } as const;

class Refusal extends Error {}

function redactor(secrets: readonly (string | undefined)[]): (s: string) => string {
  const list = secrets.filter((s): s is string => !!s && s.length >= 4);
  return (s) => list.reduce((acc, x) => acc.split(x).join('***'), s);
}

async function localImage(deps: PromoteDeps, name: RecordedImage['name'], ref: string): Promise<RecordedImage> {
  const digest = await deps.imageId(ref);
  if (!digest) throw new Refusal(`no local image ${ref}: build and verify it with \`npm test\` first`);
  return { name, ref, digest };
}

export async function promote(argv: readonly string[], deps: PromoteDeps): Promise<number> {
  const env = deps.env;
  const auth = authFromEnv(env);
  const secretValues: Partial<Record<SharedSecret, string>> = {};
  for (const n of SHARED_SECRETS) secretValues[n] = env[n] || randomBytes(18).toString('hex');
  const redact = redactor([auth?.token, env.REGISTRY_PASSWORD, ...Object.values(secretValues)]);
  const out = (s: string) => deps.out(redact(s));
  const err = (s: string) => deps.err(redact(s));

  try {
    const args = promoteArgs(argv);
    if (args === 'help') {
      out(USAGE);
      return EXIT.ok;
    }
    const registry = env.REGISTRY;
    let registryAuth: RegistryAuth | undefined;
    try {
      registryAuth = registryAuthFromEnv(env);
    } catch (e) {
      throw new Refusal((e as Error).message);
    }
    const target = env.RAILWAY_PROJECT_ID && env.RAILWAY_ENVIRONMENT_ID ? { projectId: env.RAILWAY_PROJECT_ID, environmentId: env.RAILWAY_ENVIRONMENT_ID } : undefined;
    if (args.apply) {
      const missing = [
        !auth && 'RAILWAY_API_TOKEN (or RAILWAY_TOKEN for a project token)',
        !target && 'RAILWAY_PROJECT_ID and RAILWAY_ENVIRONMENT_ID',
        !registry && 'REGISTRY',
      ].filter(Boolean);
      if (missing.length) throw new Refusal(`--apply needs ${missing.join(', ')} in the environment`);
    }

    const verified = readVerifiedDir(verifiedDir(env));
    const refuse = (problems: readonly string[]) => new Refusal(`refusing to promote:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    const postgres = await localImage(deps, 'postgres', args.postgresImage);
    const flavor: ProxyFlavor | undefined = args.proxy ?? verifiedFlavorOf(verified.records, postgres.digest);
    if (!flavor) throw refuse([noRecordFor(verified, postgres)]);
    const router = await localImage(deps, flavor, args.routerImage ?? `pgha/${flavor}:local`);
    const verdict = verifyCandidate(verified, { postgres, router, flavor });
    if (!verdict.ok) throw refuse(verdict.problems);
    out(formatVouch(verdict.record));
    if (verdict.chaos.length) out(`  chaos runs beside it: ${verdict.chaos.flatMap((c) => c.scenarios).join(', ')} passed`);

    const listens = checkListensOnIpv6(flavor);
    for (const c of listens) out(`ipv6: ${c.image} ${c.ok ? 'ok' : 'NOT OK'}: ${c.file}: ${c.detail}`);
    if (listens.some((c) => !c.ok)) throw new Refusal("Railway's private network is IPv6: fix the listeners above");

    const client = auth && target ? railwayClient(auth, env.RAILWAY_API_URL || RAILWAY_ENDPOINT, deps.fetch) : undefined;
    let found: Pick<Extract<Discovered, { ok: true }>, 'existing' | 'missingSecrets'>;
    if (client && target) {
      const d = await discover(client, target);
      // Before any push or change: a rollout that can't stay in its environment doesn't start.
      if (!d.ok) throw new Refusal(d.problem);
      out(`environment: ${d.environment.name} (${d.environment.id}), ${d.scope}`);
      found = d;
    } else {
      out('no Railway token or project: planned as a first deploy without looking at the project');
      found = { existing: {}, missingSecrets: [...SHARED_SECRETS] };
    }

    const mode = rolloutMode(found.existing);
    const planWith = (refOf: (img: RecordedImage) => string): Plan => {
      try {
        return planRollout({
          mode,
          images: { postgres: refOf(postgres), router: refOf(router) },
          flavor,
          existing: found.existing,
          missingSecrets: found.missingSecrets,
          primary: args.primary,
          registryUser: registryAuth?.username ?? null,
        });
      } catch (e) {
        throw new Refusal((e as Error).message);
      }
    };
    // Planned once before the push, so a plan that can't be made refuses before anything moves.
    let plan = planWith((img) => `${tagFor(registry ?? '$REGISTRY', img)} (pinned as ${repoFor(registry ?? '$REGISTRY', img.name)}@sha256:... at push)`);
    if (args.apply && registry) {
      const pushed = await deps.push(registry, [postgres, router], registryAuth);
      for (const p of pushed) out(`pushed ${p.image.name} ${p.image.digest} as ${p.tag} = ${p.byDigest}`);
      const pinned = (img: RecordedImage) => {
        const p = pushed.find((x) => x.image.digest === img.digest);
        if (!p) throw new Error(`${img.ref} was not pushed`);
        return p.byDigest;
      };
      plan = planWith(pinned);
    }
    const readiness = { pollIntervalMs: deps.pollIntervalMs ?? 5_000, deployTimeoutMs: deps.deployTimeoutMs ?? 15 * 60_000, settleMs: deps.settleMs ?? SETTLE_MS };
    out(formatPlan(plan, readiness.settleMs / 1000));
    if (!args.apply || !client || !target) {
      out('dry run: nothing changed (--apply carries the plan out)');
      return EXIT.ok;
    }
    const summary = await applyPlan(client, target, plan, found.existing, {
      secretValues,
      ...(registryAuth ? { registryCredentials: registryAuth } : {}),
      readiness,
      log: (l) => out(`  ${l}`),
    });
    out(formatSummary(summary));
    if (!summary.stopped) return EXIT.ok;
    return summary.stopped.awaitingApproval ? EXIT.awaitingApproval : EXIT.failed;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`promote: ${e.message}\n${USAGE}`);
      return EXIT.refused;
    }
    if (e instanceof Refusal) {
      err(`promote: ${e.message}`);
      return EXIT.refused;
    }
    err(`promote: ${(e as Error).message}`);
    return EXIT.failed;
  }
}
