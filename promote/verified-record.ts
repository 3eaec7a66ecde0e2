// The verified record: which images (by digest), proxy flavor and replication mode passed
// every required claim (required-claims.ts) in one `npm test`, at which commit. `npm run
// promote` ships nothing else. A run that falls short leaves a refusal beside the records
// instead, naming what was missing, failed or skipped, so promote can say why it refuses.
// Both live in .pgha/verified/ (git-ignored): they describe this machine's images.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../model/paths.ts';
import type { ProxyFlavor } from '../model/proxy-contract.ts';

/**
 * v2: a record vouches for every required claim. v1 records were written for any run with
 * one passing cluster file (skipped files counted as fine): they are read only to say why
 * they vouch for nothing.
 */
export const RECORD_KIND = 'pgha.verified/v2';
export const REFUSAL_KIND = 'pgha.refused/v1';
const RECORD_KIND_PREFIX = 'pgha.verified/';

/** 'off': asynchronous replication; 'any1': a commit waits for one standby (ClusterInfo.synchronousMode). */
export type ReplicationMode = 'off' | 'any1';

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
  replicationMode: ReplicationMode;
}

/** A required claim as the record keeps it: which file proved it, with how many tests. */
export interface ProvenClaim {
  claim: string;
  project: string;
  file: string;
  tests: number;
}

export interface VerifiedRecord {
  kind: typeof RECORD_KIND;
  source: 'npm test' | 'chaos';
  runId: string;
  images: RecordedImage[];
  proxyFlavor: ProxyFlavor;
  replicationMode: ReplicationMode;
  /** Every required claim, each proven in this run (empty in chaos records). */
  claims: ProvenClaim[];
  /** Test files that passed, as `<project>: <file>`. */
  suites: string[];
  /** Chaos scenarios that passed (chaos records only). */
  scenarios: string[];
  commit: string;
  /** Uncommitted changes in the tree that was tested: the commit alone doesn't say what ran. */
  dirty: boolean;
  createdAt: string;
}

/** What a decision that writes nothing says (chaos records; test runs use gate.ts). */
export type RecordDecision = { write: true; suites: string[] } | { write: false; why: string };

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

/** A run that earned no record: what it tested and why it vouches for nothing. */
export interface RefusedRun {
  kind: typeof REFUSAL_KIND;
  runId: string;
  images: RecordedImage[];
  proxyFlavor: ProxyFlavor;
  problems: string[];
  commit: string;
  dirty: boolean;
  createdAt: string;
}

const recordedImages = (r: RunImages): RecordedImage[] => r.images.map(({ name, ref, digest }) => ({ name, ref, digest }));

export function buildRecord(
  source: VerifiedRecord['source'],
  runImages: RunImages,
  passed: { claims?: ProvenClaim[]; suites?: string[]; scenarios?: string[] },
  commit: CommitInfo,
  now = new Date(),
): VerifiedRecord {
  return {
    kind: RECORD_KIND,
    source,
    runId: runImages.runId,
    images: recordedImages(runImages),
    proxyFlavor: runImages.proxyFlavor,
    replicationMode: runImages.replicationMode,
    claims: passed.claims ?? [],
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

export function buildRefusal(runImages: RunImages, problems: readonly string[], commit: CommitInfo, now = new Date()): RefusedRun {
  return {
    kind: REFUSAL_KIND,
    runId: runImages.runId,
    images: recordedImages(runImages),
    proxyFlavor: runImages.proxyFlavor,
    problems: [...problems],
    commit: commit.commit,
    dirty: commit.dirty,
    createdAt: now.toISOString(),
  };
}

function writeJson(dir: string, x: { createdAt: string; runId: string }, suffix: string): string {
  mkdirSync(dir, { recursive: true });
  const stamp = x.createdAt.replace(/[-:]/g, '').replace(/\..*/, '');
  const file = join(dir, `${stamp}-${x.runId}-${suffix}.json`);
  writeFileSync(file, JSON.stringify(x, null, 2) + '\n');
  return file;
}

export const writeRecord = (record: VerifiedRecord, dir = verifiedDir()): string => writeJson(dir, record, record.source.replace(/\s+/g, '-'));
export const writeRefusal = (refusal: RefusedRun, dir = verifiedDir()): string => writeJson(dir, refusal, 'refused');

const hasImages = (r: { images?: unknown; proxyFlavor?: unknown; createdAt?: unknown }) =>
  Array.isArray(r.images) && typeof r.proxyFlavor === 'string' && typeof r.createdAt === 'string';

function isRecord(x: unknown): x is VerifiedRecord {
  const r = x as Partial<VerifiedRecord> | null;
  return !!r && r.kind === RECORD_KIND && hasImages(r) && Array.isArray(r.claims) && typeof r.replicationMode === 'string';
}

function isRefusal(x: unknown): x is RefusedRun {
  const r = x as Partial<RefusedRun> | null;
  return !!r && r.kind === REFUSAL_KIND && hasImages(r) && Array.isArray(r.problems);
}

/** What .pgha/verified/ holds, each list newest first. */
export interface VerifiedDir {
  records: VerifiedRecord[];
  refused: RefusedRun[];
  /** Records of an older kind (file name and kind): they vouch for nothing, promote says so. */
  obsolete: { file: string; kind: string }[];
}

/** Reads `dir`; unreadable and foreign files are skipped, never trusted. */
export function readVerifiedDir(dir = verifiedDir()): VerifiedDir {
  const found: VerifiedDir = { records: [], refused: [], obsolete: [] };
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return found;
  }
  for (const f of files.sort()) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      const kind = (parsed as { kind?: unknown } | null)?.kind;
      if (isRecord(parsed)) found.records.push(parsed);
      else if (isRefusal(parsed)) found.refused.push(parsed);
      else if (typeof kind === 'string' && kind.startsWith(RECORD_KIND_PREFIX)) found.obsolete.push({ file: f, kind });
    } catch {
      // a torn or hand-edited file vouches for nothing
    }
  }
  const newestFirst = (a: { createdAt: string }, b: { createdAt: string }) => b.createdAt.localeCompare(a.createdAt);
  found.records.sort(newestFirst);
  found.refused.sort(newestFirst);
  found.obsolete.reverse();
  return found;
}

/** Every current record in `dir`, newest first. */
export const readRecords = (dir = verifiedDir()): VerifiedRecord[] => readVerifiedDir(dir).records;

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
