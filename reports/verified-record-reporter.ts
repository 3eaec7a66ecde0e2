// A vitest reporter that writes a verified record when, and only when, the whole run
// passed (unit and cluster projects run in one `npm test`, so onTestRunEnd sees both).
// The images come from the cluster's globalSetup, which runs in this same process.
import type { Reporter, TestModule } from 'vitest/node';
import {
  buildRecord,
  currentCommit,
  decideTestRecord,
  readRunImages,
  RUN_IMAGES_ENV,
  writeRecord,
  type ModuleOutcome,
} from '../promote/verified-record.ts';

function outcome(m: TestModule): ModuleOutcome {
  return { project: m.project.name, file: m.relativeModuleId, state: m.state() };
}

export default class VerifiedRecordReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>, reason: 'passed' | 'failed' | 'interrupted'): void {
    const runImages = readRunImages(process.env[RUN_IMAGES_ENV]);
    const decision = decideTestRecord({ reason, unhandledErrors: unhandledErrors.length, modules: testModules.map(outcome), runImages });
    if (!decision.write || !runImages) {
      // Said out loud only when a cluster ran: a unit-only run is not expected to vouch.
      if (runImages) process.stderr.write(`[pgha] no verified record: ${decision.write ? 'no images' : decision.why}\n`);
      return;
    }
    const file = writeRecord(buildRecord('npm test', runImages, { suites: decision.suites }, currentCommit()));
    process.stderr.write(`[pgha] verified record: ${file}\n`);
  }
}
