// No change may reach an environment the rollout was not told to. Railway applies
// `serviceCreate` and `serviceInstanceUpdate` given an environment that is not a fork to
// EVERY environment that is not a fork (the schema's note on `environmentId`): pointed at
// production, they would also change staging. So the rollout goes ahead only where the
// change stays put: a fork, or the project's only non-fork environment. Pure: unit-tested.

export interface EnvironmentInfo {
  id: string;
  name: string;
  /** The environment it was forked from; null: not a fork. */
  forkOf: { id: string; name: string } | null;
}

export type Scope = { ok: true; environment: EnvironmentInfo; why: string } | { ok: false; problem: string };

const label = (e: EnvironmentInfo) => `${e.name} (${e.id})`;

/**
 * `complete` false: the project listed more environments than one page holds, so another
 * non-fork environment may be out of sight and nothing can be guaranteed.
 */
export function environmentScope(envs: readonly EnvironmentInfo[], targetId: string, complete = true): Scope {
  const target = envs.find((e) => e.id === targetId);
  if (!target) {
    const known = envs.map(label).join(', ') || 'none';
    return { ok: false, problem: `RAILWAY_ENVIRONMENT_ID ${targetId} is not an environment of this project (it has: ${known}): set it to the one to deploy to` };
  }
  if (target.forkOf) {
    return { ok: true, environment: target, why: `a fork of ${target.forkOf.name}: serviceCreate and serviceInstanceUpdate change it alone` };
  }
  if (!complete) {
    return { ok: false, problem: `the project has more environments than Railway listed in one page: can't tell whether ${label(target)} is the only non-fork one, so a change could reach another` };
  }
  const others = envs.filter((e) => e.id !== target.id && !e.forkOf);
  if (others.length === 0) {
    return { ok: true, environment: target, why: "the project's only non-fork environment: serviceCreate and serviceInstanceUpdate change nothing else" };
  }
  return {
    ok: false,
    problem:
      `environment ${label(target)} is not a fork, and Railway applies serviceCreate and serviceInstanceUpdate on a non-fork environment ` +
      `to every non-fork environment: ${others.map(label).join(', ')} would change too. Nothing was changed. ` +
      `Fork ${target.name} in Railway and promote into the fork (RAILWAY_ENVIRONMENT_ID=<fork id>), then merge it; ` +
      `or deploy from a project whose only non-fork environment is ${target.name}`,
  };
}
