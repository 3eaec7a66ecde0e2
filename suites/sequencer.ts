// The cluster suites share one cluster and run in this fixed order: the ones that only
// look come first (formation asserts the cluster as booted, pg-1 primary), the ones that
// break it and put it back come last. vitest's default order (by past duration) would
// change from run to run.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const SUITE_ORDER = ['formation', 'replication', 'routing', 'security', 'proxy-ha', 'failover', 'quorum', 'rejoin', 'clients'];

const rank = (file: string): number => {
  const name = file.split('/').pop()!.replace(/\.test\.ts$/, '');
  const i = SUITE_ORDER.indexOf(name);
  return i === -1 ? SUITE_ORDER.length : i;
};

export default class SuiteSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return files.toSorted((a, b) => rank(a.moduleId) - rank(b.moduleId) || a.moduleId.localeCompare(b.moduleId));
  }
}
