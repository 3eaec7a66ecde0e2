// A vitest reporter that writes a verified record when, and only when, the run proved every
// required claim (promote/gate.ts decides; unit, promote, cluster and chaos projects run in
// one `npm test`, so onTestRunEnd sees them all). A run that booted a cluster but fell short
// leaves a refusal instead, naming what was missing, failed or skipped: promote reads it
// to say why it refuses. The images come from the cluster's globalSetup (same process).
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { decideTestRecord, type ModuleOutcome, type TestOutcome } from '../promote/gate.ts';
import { buildRecord, buildRefusal, currentCommit, readRunImages, RUN_IMAGES_ENV, writeRecord, writeRefusal } from '../promote/verified-record.ts';

function testOutcome(t: TestCase): TestOutcome {
  return { name: t.fullName, state: t.result().state, mode: t.options.mode };
}

export function moduleOutcome(m: TestModule): ModuleOutcome {
  return { project: m.project.name, file: m.relativeModuleId, state: m.state(), tests: [...m.children.allTests()].map(testOutcome) };
}

export default class VerifiedRecordReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>, reason: 'passed' | 'failed' | 'interrupted'): void {
    const runImages = readRunImages(process.env[RUN_IMAGES_ENV]);
    const decision = decideTestRecord({ reason, unhandledErrors: unhandledErrors.length, modules: testModules.map(moduleOutcome), runImages });
    // A unit-only run boots no cluster and is not expected to vouch: nothing to say.
    if (!runImages) return;
    if (!decision.write) {
      const file = writeRefusal(buildRefusal(runImages, decision.problems, currentCommit()));
      process.stderr.write(`[pgha] no verified record (promote will refuse these images; ${file}):\n${decision.problems.map((p) => `  - ${p}`).join('\n')}\n`);
      return;
    }
    const file = writeRecord(buildRecord('npm test', runImages, { claims: decision.claims, suites: decision.suites }, currentCommit()));
    process.stderr.write(`[pgha] verified record: ${file}\n  claims: ${decision.claims.map((c) => c.claim).join(', ')}\n`);
  }
}
