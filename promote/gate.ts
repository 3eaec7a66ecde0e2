// The gate: whether a test run earns a verified record. Pure, so every way a run can fall
// short (a suite run alone, a skipped test, a failed hook) is unit-tested on hand-made
// outcomes. A record means every required claim ran in full and passed; a refusal names
// each claim that is missing, failed or skipped, so nobody has to guess what to rerun.
import { REQUIRED_CLAIMS, type RequiredClaim } from './required-claims.ts';
import type { ProvenClaim, RunImages } from './verified-record.ts';

export interface TestOutcome {
  /** vitest's full name: suite names and the test's, joined with ` > `. */
  name: string;
  state: 'passed' | 'failed' | 'skipped' | 'pending';
  /** How the test was declared: `skip` and `todo` say why a skipped test did not run. */
  mode?: 'run' | 'only' | 'skip' | 'todo';
}

export interface ModuleOutcome {
  project: string;
  file: string;
  state: 'passed' | 'failed' | 'skipped' | 'pending' | 'queued';
  tests: readonly TestOutcome[];
}

export interface TestRunOutcome {
  reason: 'passed' | 'failed' | 'interrupted';
  unhandledErrors: number;
  modules: readonly ModuleOutcome[];
  /** Absent when no cluster was booted (e.g. `npm run test:unit`): nothing to vouch for. */
  runImages: RunImages | undefined;
}

export type GateDecision = { write: true; claims: ProvenClaim[]; suites: string[] } | { write: false; problems: string[] };

const where = (m: Pick<ModuleOutcome, 'project' | 'file'>) => `${m.project}: ${m.file}`;
const quoted = (names: readonly string[]) => names.map((n) => `"${n}"`).join('; ');
const named = (m: ModuleOutcome, state: TestOutcome['state']) => m.tests.filter((t) => t.state === state);
const skippedNames = (m: ModuleOutcome) => named(m, 'skipped').map((t) => (t.mode === 'todo' ? `${t.name} (todo)` : t.name));

/** What keeps one file from counting, or undefined when it ran in full and passed. */
function fileProblem(m: ModuleOutcome): string | undefined {
  const failed = named(m, 'failed').map((t) => t.name);
  if (failed.length > 0) return `failed in ${where(m)}: ${quoted(failed)}`;
  if (m.state === 'failed') return `failed: ${where(m)} (outside any test: a hook, an import or a collection error)`;
  const skipped = skippedNames(m);
  if (skipped.length > 0) return `skipped in ${where(m)}: ${quoted(skipped)}`;
  if (m.state !== 'passed') return `did not finish: ${where(m)} (${m.state})`;
  if (named(m, 'passed').length === 0) return `ran no test: ${where(m)}`;
  return undefined;
}

function claimProblem(c: RequiredClaim, m: ModuleOutcome | undefined): string | undefined {
  if (!m) return `${c.claim}: did not run (${c.project}: ${c.file})`;
  const p = fileProblem(m);
  return p && `${c.claim}: ${p}`;
}

/**
 * Whether a test run earns a record. Only when every required claim's file ran in this
 * run, every test in it passed and none was skipped (a `.skip`, a `.todo`, a `-t` filter),
 * every other file that ran passed with nothing skipped either, nothing was interrupted
 * or unhandled, and a cluster was booted (its images are what the record vouches for).
 */
export function decideTestRecord(run: TestRunOutcome, required: readonly RequiredClaim[] = REQUIRED_CLAIMS): GateDecision {
  const problems: string[] = [];
  if (run.reason !== 'passed') problems.push(`the run ${run.reason}`);
  if (run.unhandledErrors > 0) problems.push(`${run.unhandledErrors} unhandled error(s)`);
  const byFile = new Map(run.modules.map((m) => [where(m), m]));
  for (const c of required) {
    const p = claimProblem(c, byFile.get(where(c)));
    if (p) problems.push(p);
  }
  const claimFiles = new Set(required.map(where));
  for (const m of run.modules) {
    if (claimFiles.has(where(m))) continue;
    const p = fileProblem(m);
    // A file with no test at all in a non-claim project is noise, not a hole in the proof.
    if (p && !p.startsWith('ran no test')) problems.push(p);
  }
  if (!run.runImages) problems.push('no cluster was booted, so no image was tested');
  else if (run.runImages.replicationMode !== 'off' && run.runImages.replicationMode !== 'any1') {
    problems.push(`the cluster did not say its replication mode (got ${String(run.runImages.replicationMode)})`);
  }
  if (problems.length > 0) return { write: false, problems };
  const claims = required.map((c) => ({ claim: c.claim, project: c.project, file: c.file, tests: named(byFile.get(where(c))!, 'passed').length }));
  return { write: true, claims, suites: run.modules.map(where).sort() };
}
