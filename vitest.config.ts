import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs no Docker and takes seconds; `cluster` boots the real
// seven-container cluster once (globalSetup) and runs the conformance suites against it.
export default defineConfig({
  test: {
    reporters: ['default', 'junit'],
    outputFile: { junit: 'reports/out/junit.xml' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{fixtures,chaos,reports,promote,bin,scripts,images}/**/*.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'cluster',
          include: ['suites/**/*.test.ts'],
          globalSetup: ['suites/cluster.setup.ts'],
          // One cluster, shared: the suites run one file at a time, in a fixed order.
          fileParallelism: false,
          sequence: { shuffle: false },
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
