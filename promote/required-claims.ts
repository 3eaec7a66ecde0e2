// The claims a verified record vouches for, as ONE table: claim name -> the vitest project
// and file that prove it. The gate (gate.ts) writes a record only when every row ran, in
// full, and passed; promote prints these names as what the images it ships have proven.
// Adding a claim is one row here (and the file).

export interface RequiredClaim {
  /** What an operator would call it: printed by the gate and by promote. */
  claim: string;
  /** The vitest project that runs the file (`npm test` runs them all). */
  project: 'cluster' | 'chaos';
  /** Relative to the repository root, as vitest reports it. */
  file: string;
}

export const REQUIRED_CLAIMS: readonly RequiredClaim[] = [
  { claim: 'formation', project: 'cluster', file: 'suites/formation.test.ts' },
  { claim: 'replication', project: 'cluster', file: 'suites/replication.test.ts' },
  { claim: 'routing', project: 'cluster', file: 'suites/routing.test.ts' },
  { claim: 'security', project: 'cluster', file: 'suites/security.test.ts' },
  { claim: 'proxy-ha', project: 'cluster', file: 'suites/proxy-ha.test.ts' },
  { claim: 'failover', project: 'cluster', file: 'suites/failover.test.ts' },
  { claim: 'quorum', project: 'cluster', file: 'suites/quorum.test.ts' },
  { claim: 'rejoin', project: 'cluster', file: 'suites/rejoin.test.ts' },
  { claim: 'clients', project: 'cluster', file: 'suites/clients.test.ts' },
  { claim: 'chaos smoke', project: 'chaos', file: 'suites/chaos-smoke.chaos.ts' },
];

export const claimNames = (claims: readonly Pick<RequiredClaim, 'claim'>[] = REQUIRED_CLAIMS): string[] => claims.map((c) => c.claim);
