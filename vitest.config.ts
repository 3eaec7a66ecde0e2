import { configDefaults, defineConfig } from 'vitest/config';
import SuiteSequencer from './suites/sequencer.ts';

// Six projects: `unit` needs no Docker and takes seconds; `promote` pushes to a real
// registry in a container and needs no cluster; `cluster` boots the real seven-container
// cluster once (globalSetup) and runs the conformance suites against it; `chaos` runs the
// smoke schedule on a cluster of its own; `cli` drives the entry points as child processes
// (interrupted mid-boot or mid-run, killed mid-boot); `slow-cli` does the same for a whole chaos run, outside `npm test`.
// The verified-record reporter writes a record only when the whole run passed.
export default defineConfig({
  test: {
    // Sorts only the cluster suites into their fixed order (see suites/sequencer.ts); a
    // sequencer can't be set per project.
    sequence: { sequencer: SuiteSequencer },
    reporters: ['default', 'junit', './reports/verified-record-reporter.ts'],
    outputFile: { junit: 'reports/out/junit.xml' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{model,fixtures,cluster,config,load,chaos,reports,promote,bin,scripts,images,bench}/**/*.test.ts', 'suites/support/**/*.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'cluster',
          include: ['suites/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'suites/promote.test.ts', 'suites/support/**'],
          globalSetup: ['suites/cluster.setup.ts'],
          // One cluster, shared: the suites run one file at a time, in a fixed order.
          fileParallelism: false,
          // After unit and promote: a registry push on the same two cores would skew the
          // timings the cluster suites measure.
          sequence: { shuffle: false, groupOrder: 1 },
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
      {
        // The CI-sized chaos run: its own cluster (it breaks the one it runs on), after the
        // conformance suites so two clusters never take load on the same two cores.
        test: {
          name: 'chaos',
          include: ['suites/**/*.chaos.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 2 },
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        // The entry points as a user drives them (child processes, signals to their process
        // group), each on a run of its own; last, so its boots never share the two cores
        // with another cluster's measurements.
        test: {
          name: 'cli',
          include: ['suites/**/*.cli.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 3 },
          testTimeout: 180_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The same, for runs that boot a whole cluster and run a scenario (a piped chaos
        // run's progress lines: 94 s on the shared two cores). Not in `npm test` (its
        // script leaves this project out): `npm run test:slow-cli`.
        test: {
          name: 'slow-cli',
          include: ['suites/**/*.slow-cli.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 4 },
          testTimeout: 300_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'promote',
          include: ['suites/promote.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
