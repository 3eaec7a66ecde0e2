// vitest globalSetup for the cluster project: builds the images, boots one cluster that
// the suites share, and removes it (and writes the run's summary) when they are done.
import type { TestProject } from 'vitest/node';
import { startCluster } from '../cluster/boot.ts';
import type { ClusterInfo } from '../cluster/info.ts';
import { phaseTimings, note } from '../fixtures/progress.ts';
import { lostWritesLine, readMeasurements, record, summaryImages, writeSummary } from '../reports/run-report.ts';
import { readClientRows, writeClientsHtml } from '../reports/clients-table.ts';
import { runDir } from '../model/paths.ts';
import { proxyChoice } from '../fixtures/proxy-choice.ts';
import { RUN_IMAGES_ENV, writeRunImages } from '../promote/verified-record.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    cluster: ClusterInfo;
  }
}


/** PGHA_SYNCHRONOUS_MODE=any1: the suites then require zero lost writes on failover. */
function synchronousEnv(): Record<string, string> {
  const v = process.env.PGHA_SYNCHRONOUS_MODE ?? 'off';
  if (v !== 'off' && v !== 'any1') throw new Error(`PGHA_SYNCHRONOUS_MODE=${v}: use off or any1`);
  return { SYNCHRONOUS_MODE: v };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const startedAt = new Date().toISOString();
  const cluster = await startCluster({ proxy: proxyChoice(undefined), nodeEnv: synchronousEnv() });
  const { info, images } = cluster;
  // The verified-record reporter (same process) reads what this run tests from here.
  process.env[RUN_IMAGES_ENV] = writeRunImages(runDir(info.runId), {
    runId: info.runId,
    images: summaryImages(info),
    proxyFlavor: images.flavor,
    proxyFlavorReason: images.flavorReason,
    baseImage: images.base,
    replicationMode: info.synchronousMode,
  });
  record(info.runId, { suite: 'boot', name: 'boot to formed', value: info.bootSeconds, unit: 's' });
  note(`cluster formed in ${info.bootSeconds.toFixed(1)} s; suites go through ${info.flavor}; report: reports/out/${info.runId}/`);
  project.provide('cluster', info);
  return async () => {
    try {
      await cluster.stop();
    } finally {
      const f = writeSummary({
        runId: info.runId,
        startedAt,
        finishedAt: new Date().toISOString(),
        proxyFlavor: images.flavor,
        proxyFlavorReason: images.flavorReason,
        images: summaryImages(info),
        baseImage: images.base,
        bootSeconds: info.bootSeconds,
        phases: phaseTimings(),
        measurements: readMeasurements(info.runId),
        clients: readClientRows(info.runId),
        unsupported: images.flavor === 'proxysql' ? [] : [{ what: 'ProxySQL live suites', why: images.flavorReason }],
      });
      note(`run summary: ${f}`);
      const lost = lostWritesLine(readMeasurements(info.runId), info.synchronousMode);
      if (lost) note(lost);
      const html = writeClientsHtml(info.runId, images.flavor);
      if (html) note(`client conformance table: ${html}`);
    }
  };
}
