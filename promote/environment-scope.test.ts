import { describe, expect, it } from 'vitest';
import { environmentScope, type EnvironmentInfo } from './environment-scope.ts';

const production: EnvironmentInfo = { id: 'env-prod', name: 'production', forkOf: null };
const staging: EnvironmentInfo = { id: 'env-stg', name: 'staging', forkOf: null };
const fork: EnvironmentInfo = { id: 'env-fork', name: 'production-rollout', forkOf: { id: 'env-prod', name: 'production' } };

describe('environmentScope: a change must not reach an environment the rollout was not told to', () => {
  it("goes ahead in the project's only non-fork environment", () => {
    expect(environmentScope([production, fork], 'env-prod')).toMatchObject({ ok: true, environment: production });
  });
  it('goes ahead in a fork, whatever else the project has', () => {
    const s = environmentScope([production, staging, fork], 'env-fork');
    expect(s).toMatchObject({ ok: true, environment: fork });
    if (s.ok) expect(s.why).toContain('a fork of production');
  });
  it('refuses a non-fork environment beside another non-fork one, naming it and saying what to do', () => {
    const s = environmentScope([production, staging, fork], 'env-prod');
    expect(s.ok).toBe(false);
    if (!s.ok) {
      expect(s.problem).toContain('staging (env-stg) would change too');
      expect(s.problem).toContain('Fork production in Railway and promote into the fork');
      expect(s.problem).not.toContain('production-rollout');
    }
  });
  it('refuses an environment the project does not have', () => {
    const s = environmentScope([production], 'env-x');
    expect(s).toEqual({ ok: false, problem: expect.stringContaining('RAILWAY_ENVIRONMENT_ID env-x is not an environment of this project (it has: production (env-prod))') });
  });
  it('refuses a non-fork target when the list of environments was cut short', () => {
    expect(environmentScope([production], 'env-prod', false).ok).toBe(false);
    expect(environmentScope([production, fork], 'env-fork', false).ok).toBe(true);
  });
});
