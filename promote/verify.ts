// The gate in front of every promotion: an image goes out only if a passing record holds
// its exact digest, together with the router image and the proxy flavor it was tested with,
// and that record vouches for every claim required now. A refusal says why, down to the
// claims a run that tested these images missed, failed or skipped.
import type { ProxyFlavor } from '../model/proxy-contract.ts';
import { REQUIRED_CLAIMS, type RequiredClaim } from './required-claims.ts';
import { RECORD_KIND, type RecordedImage, type RefusedRun, type VerifiedDir, type VerifiedRecord } from './verified-record.ts';

/** What would be promoted: the local images' IDs right now, and the router flavor. */
export interface Candidate {
  postgres: RecordedImage;
  router: RecordedImage;
  flavor: ProxyFlavor;
}

export type Verdict =
  | { ok: true; record: VerifiedRecord; chaos: VerifiedRecord[] }
  | { ok: false; problems: string[] };

const has = (r: Pick<VerifiedRecord, 'images'>, img: RecordedImage) => r.images.some((i) => i.name === img.name && i.digest === img.digest);

/** Required claims a record does not vouch for (the table may have grown since it was written). */
export const claimsMissingFrom = (r: VerifiedRecord, required: readonly RequiredClaim[] = REQUIRED_CLAIMS): string[] =>
  required.map((c) => c.claim).filter((name) => !r.claims.some((p) => p.claim === name));

/** An image no record holds, and why: the newest run that tested it and earned none, older record kinds. */
export function noRecordFor(found: VerifiedDir, img: RecordedImage): string {
  return [`image ${img.name} ${img.ref} ${img.digest} is in no passing record: run \`npm test\` on it first`, ...whyUnverified(found, img)].join('\n');
}

function whyUnverified(found: VerifiedDir, img: RecordedImage): string[] {
  const refused: RefusedRun | undefined = found.refused.find((r) => has(r, img));
  const lines: string[] = [];
  if (refused) {
    lines.push(`    run ${refused.runId} (${refused.createdAt}) tested it and earned no record:`);
    lines.push(...refused.problems.map((p) => `      - ${p}`));
  }
  if (found.obsolete.length > 0) {
    lines.push(
      `    ${found.obsolete.length} older record(s) (${[...new Set(found.obsolete.map((o) => o.kind))].join(', ')}) vouch for nothing: they were written ` +
        `before a record had to prove every claim (${RECORD_KIND} does)`,
    );
  }
  return lines;
}

/**
 * Passes when one `npm test` record holds both images with the same flavor and vouches for
 * every required claim. Otherwise names each image and digest that no record vouches for
 * (with what the run that tested it fell short of), the flavor that was not tested, or the
 * claims the record lacks.
 */
export function verifyCandidate(found: VerifiedDir, c: Candidate, required: readonly RequiredClaim[] = REQUIRED_CLAIMS): Verdict {
  const problems: string[] = [];
  if (c.router.name !== c.flavor) {
    problems.push(`router image ${c.router.ref} (${c.router.name}) is not the ${c.flavor} flavor`);
  }
  const tests = found.records.filter((r) => r.source === 'npm test');
  for (const img of [c.postgres, c.router]) {
    const holding = tests.filter((r) => has(r, img));
    if (holding.length === 0) {
      problems.push(noRecordFor(found, img));
    } else if (!holding.some((r) => r.proxyFlavor === c.flavor)) {
      const flavors = [...new Set(holding.map((r) => r.proxyFlavor))].join(', ');
      problems.push(`proxy flavor ${c.flavor} was not the one verified with ${img.name} ${img.digest} (verified: ${flavors})`);
    }
  }
  const together = tests.filter((r) => r.proxyFlavor === c.flavor && has(r, c.postgres) && has(r, c.router));
  const complete = together.find((r) => claimsMissingFrom(r, required).length === 0);
  if (problems.length === 0 && together.length === 0) {
    problems.push(`images ${c.postgres.digest} (postgres) and ${c.router.digest} (${c.router.name}) passed, but never in the same run: run \`npm test\` on the pair`);
  } else if (problems.length === 0 && !complete) {
    const r = together[0]!;
    problems.push(`record of run ${r.runId} does not vouch for claim(s) required now: ${claimsMissingFrom(r, required).join(', ')}: run \`npm test\` again`);
  }
  if (problems.length > 0 || !complete) return { ok: false, problems };
  const chaos = found.records.filter((r) => r.source === 'chaos' && r.proxyFlavor === c.flavor && has(r, c.postgres) && has(r, c.router));
  return { ok: true, record: complete, chaos };
}

/** The flavor to promote when none is named: the one the newest record of this postgres image tested. */
export function verifiedFlavorOf(records: readonly VerifiedRecord[], postgresDigest: string): ProxyFlavor | undefined {
  return records.find((r) => r.source === 'npm test' && r.images.some((i) => i.name === 'postgres' && i.digest === postgresDigest))?.proxyFlavor;
}

/** What promote prints before its plan: the run that proved these images, and each claim. */
export function formatVouch(r: VerifiedRecord): string {
  return [
    `verified: ${r.source} run ${r.runId} at ${r.commit}${r.dirty ? ' (with uncommitted changes)' : ''}, ${r.createdAt}`,
    `  router flavor ${r.proxyFlavor}, replication mode ${r.replicationMode}`,
    `  images: ${r.images.map((i) => `${i.name} ${i.digest}`).join(', ')}`,
    `  claims proven (${r.claims.length}): ${r.claims.map((c) => `${c.claim} (${c.tests} test${c.tests === 1 ? '' : 's'})`).join(', ')}`,
  ].join('\n');
}
