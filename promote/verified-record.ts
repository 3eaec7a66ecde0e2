// The verified record: which images (by digest) and which proxy flavor passed a whole
// `npm test` (or a chaos run), at which commit. `npm run promote` ships nothing else.
// Records live in .pgha/verified/ (git-ignored): they describe this machine's images.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../model/paths.ts';
import type { ProxyFlavor } from '../model/proxy-contract.ts';

export const RECORD_KIND = 'pgha.verified/v1';

export interface RecordedImage {
  name: 'postgres' | 'pgpool' | 'proxysql';
  ref: string;
  /** sha256 image ID: what was tested, byte for byte. */
  digest: string;
}

/** What the cluster's globalSetup leaves for the reporter: the images this run tested. */
export interface RunImages {
  runId: string;
  images: RecordedImage[];
  proxyFlavor: ProxyFlavor;
  proxyFlavorReason: string;
  baseImage: string;
}

export interface VerifiedRecord {
  kind: typeof RECORD_KIND;
  source: 'npm test' | 'chaos';
  runId: string;
  images: RecordedImage[];
  proxyFlavor: ProxyFlavor;
  /** Test files that passed, as `<project>: <file>`. */
  suites: string[];
  /** Chaos scenarios that passed (chaos records only). */
  scenarios: string[];
  commit: string;
  /** Uncommitted changes in the tree that was tested: the commit alone doesn't say what ran. */
  dirty: boolean;
  createdAt: string;
}

export interface ModuleOutcome {
  project: string;
  file: string;
  state: 'passed' | 'failed' | 'skipped' | 'pending' | 'queued';
}

export interface TestRunOutcome {
  reason: 'passed' | 'failed' | 'interrupted';
  unhandledErrors: number;
  modules: readonly ModuleOutcome[];
  /** Absent when no cluster was booted (e.g. `npm run test:unit`): nothing to vouch for. */
  runImages: RunImages | undefined;
}

export type RecordDecision = { write: true; suites: string[] } | { write: false; why: string };

/**
 * Whether a test run earns a record. Only a whole run that passed does: every file, no
 * unhandled error, not interrupted, and the cluster's suites among the files that ran
 * (a unit-only run vouches for no image).
 */
export function decideTestRecord(run: TestRunOutcome): RecordDecision {
  if (run.reason !== 'passed') return { write: false, why: `the run ${run.reason}` };
  if (run.unhandledErrors > 0) return { write: false, why: `${run.unhandledErrors} unhandled error(s)` };
  const bad = run.modules.filter((m) => m.state !== 'passed' && m.state !== 'skipped');
  if (bad.length > 0) return { write: false, why: `${bad.length} test file(s) did not pass: ${bad.map((m) => m.file).join(', ')}` };
  if (!run.runImages) return { write: false, why: 'no cluster was booted, so no image was tested' };
  const passed = run.modules.filter((m) => m.state === 'passed');
  if (!passed.some((m) => m.project === 'cluster')) return { write: false, why: 'no cluster suite passed' };
  return { write: true, suites: passed.map((m) => `${m.project}: ${m.file}`).sort() };
}

export interface ChaosRunOutcome {
  passed: boolean;
  scenarios: readonly { name: string; passed: boolean }[];
  runImages: RunImages;
}

/** A chaos run earns a record only when it passed as a whole and every scenario did. */
export function decideChaosRecord(run: ChaosRunOutcome): RecordDecision {
  if (!run.passed) return { write: false, why: 'the chaos run failed' };
  const failed = run.scenarios.filter((s) => !s.passed);
  if (failed.length > 0) return { write: false, why: `scenario(s) failed: ${failed.map((s) => s.name).join(', ')}` };
  if (run.scenarios.length === 0) return { write: false, why: 'no scenario ran' };
  return { write: true, suites: [] };
}

export interface CommitInfo {
  commit: string;
  dirty: boolean;
}

export function currentCommit(cwd = REPO_ROOT): CommitInfo {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8' });
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: process.env.GITHUB_SHA ?? 'unknown', dirty: false };
  }
}

export function buildRecord(
  source: VerifiedRecord['source'],
  runImages: RunImages,
  passed: { suites?: string[]; scenarios?: string[] },
  commit: CommitInfo,
  now = new Date(),
): VerifiedRecord {
  return {
    kind: RECORD_KIND,
    source,
    runId: runImages.runId,
    images: runImages.images.map(({ name, ref, digest }) => ({ name, ref, digest })),
    proxyFlavor: runImages.proxyFlavor,
    suites: passed.suites ?? [],
    scenarios: passed.scenarios ?? [],
    commit: commit.commit,
    dirty: commit.dirty,
    createdAt: now.toISOString(),
  };
}

export function verifiedDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PGHA_VERIFIED_DIR || join(REPO_ROOT, '.pgha', 'verified');
}

export function writeRecord(record: VerifiedRecord, dir = verifiedDir()): string {
  mkdirSync(dir, { recursive: true });
  const stamp = record.createdAt.replace(/[-:]/g, '').replace(/\..*/, '');
  const file = join(dir, `${stamp}-${record.runId}-${record.source.replace(/\s+/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
  return file;
}

function isRecord(x: unknown): x is VerifiedRecord {
  const r = x as Partial<VerifiedRecord> | null;
  return !!r && r.kind === RECORD_KIND && Array.isArray(r.images) && typeof r.proxyFlavor === 'string';
}

/** Every record in `dir`, newest first; unreadable files are skipped, never trusted. */
export function readRecords(dir = verifiedDir()): VerifiedRecord[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const records: VerifiedRecord[] = [];
  for (const f of files) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      if (isRecord(parsed)) records.push(parsed);
    } catch {
      // a torn or hand-edited file vouches for nothing
    }
  }
  return records.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Where the cluster's globalSetup leaves the run's images for the reporter (same process). */
export const RUN_IMAGES_ENV = 'PGHA_RUN_IMAGES_FILE';

export function writeRunImages(dir: string, images: RunImages): string {
  const file = join(dir, 'run-images.json');
  writeFileSync(file, JSON.stringify(images, null, 2) + '\n');
  return file;
}

export function readRunImages(file: string | undefined): RunImages | undefined {
  if (!file) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunImages;
  } catch {
    return undefined;
  }
}
