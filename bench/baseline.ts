// The run's own yardstick for Docker-level timings: a bare container from the base image,
// started and removed. A build or a boot reads as "N container starts", which travels
// between machines better than seconds do.
import { runOk } from '../fixtures/docker.ts';
import { runLabels, type RunId } from '../fixtures/labels.ts';
import { note } from '../fixtures/progress.ts';

export const CONTAINER_BASELINE = 'baseline: docker run --rm <base> true';

export async function containerStartSeconds(benchRun: RunId, base: string, repeat: number): Promise<number[]> {
  const labels = Object.entries(runLabels(benchRun, 'bench-baseline')).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const out: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    await runOk('docker', ['run', '--rm', ...labels, base, 'true']);
    out.push((performance.now() - t) / 1000);
    note(`  container start ${i + 1}/${repeat}: ${out.at(-1)!.toFixed(2)} s`);
  }
  return out;
}
