// Test support: what a cluster's globalSetup hands the reporter, for hand-made outcomes.
import type { RunImages } from './verified-record.ts';

export const sampleRunImages = (over: Partial<RunImages> = {}): RunImages => ({
  runId: 'run-1',
  images: [
    { name: 'postgres', ref: 'pgha/postgres:local', digest: 'sha256:' + 'a'.repeat(64) },
    { name: 'pgpool', ref: 'pgha/pgpool:local', digest: 'sha256:' + 'b'.repeat(64) },
  ],
  proxyFlavor: 'pgpool',
  proxyFlavorReason: 'no registry',
  baseImage: 'pgha/debian-base:trixie',
  replicationMode: 'off',
  ...over,
});
