// The gate in front of every promotion: an image goes out only if a passing record holds
// its exact digest, together with the router image and the proxy flavor it was tested with.
import type { ProxyFlavor } from '../model/proxy-contract.ts';
import type { RecordedImage, VerifiedRecord } from './verified-record.ts';

/** What would be promoted: the local images' IDs right now, and the router flavor. */
export interface Candidate {
  postgres: RecordedImage;
  router: RecordedImage;
  flavor: ProxyFlavor;
}

export type Verdict =
  | { ok: true; record: VerifiedRecord; chaos: VerifiedRecord[] }
  | { ok: false; problems: string[] };

const has = (r: VerifiedRecord, img: RecordedImage) => r.images.some((i) => i.name === img.name && i.digest === img.digest);

/**
 * Passes when one `npm test` record holds both images with the same flavor. Otherwise
 * names each image and digest that no record vouches for, or the flavor that was not tested.
 */
export function verifyCandidate(records: readonly VerifiedRecord[], c: Candidate): Verdict {
  const problems: string[] = [];
  if (c.router.name !== c.flavor) {
    problems.push(`router image ${c.router.ref} (${c.router.name}) is not the ${c.flavor} flavor`);
  }
  const tests = records.filter((r) => r.source === 'npm test');
  for (const img of [c.postgres, c.router]) {
    const holding = tests.filter((r) => has(r, img));
    if (holding.length === 0) {
      problems.push(`image ${img.name} ${img.ref} ${img.digest} is in no passing record: run \`npm test\` on it first`);
    } else if (!holding.some((r) => r.proxyFlavor === c.flavor)) {
      const flavors = [...new Set(holding.map((r) => r.proxyFlavor))].join(', ');
      problems.push(`proxy flavor ${c.flavor} was not the one verified with ${img.name} ${img.digest} (verified: ${flavors})`);
    }
  }
  const together = tests.find((r) => r.proxyFlavor === c.flavor && has(r, c.postgres) && has(r, c.router));
  if (problems.length === 0 && !together) {
    problems.push(`images ${c.postgres.digest} (postgres) and ${c.router.digest} (${c.router.name}) passed, but never in the same run: run \`npm test\` on the pair`);
  }
  if (problems.length > 0 || !together) return { ok: false, problems };
  const chaos = records.filter((r) => r.source === 'chaos' && r.proxyFlavor === c.flavor && has(r, c.postgres) && has(r, c.router));
  return { ok: true, record: together, chaos };
}

/** The flavor to promote when none is named: the one the newest record of this postgres image tested. */
export function verifiedFlavorOf(records: readonly VerifiedRecord[], postgresDigest: string): ProxyFlavor | undefined {
  return records.find((r) => r.source === 'npm test' && r.images.some((i) => i.name === 'postgres' && i.digest === postgresDigest))?.proxyFlavor;
}
