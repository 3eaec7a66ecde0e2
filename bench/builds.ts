// Image build times, cold and warm. Cold is `docker build --no-cache` (every RUN again,
// apt downloads included) on top of a cached base image: debootstrapping the base is a
// once-per-machine cost, not a build's. Warm is the same build with the layer cache.
// The bench builds under its own tags, so the `:local` images other runs use never move.
import { join } from 'node:path';
import { run, runOk } from '../fixtures/docker.ts';
import type { BuiltImage } from '../fixtures/images.ts';
import { REPO_ROOT } from '../model/paths.ts';
import { runLabels, type RunId } from '../fixtures/labels.ts';
import { note, phase } from '../fixtures/progress.ts';

export type BuildCache = 'cold' | 'warm';

export interface BuildTimes {
  image: BuiltImage['name'];
  cache: BuildCache;
  seconds: number[];
}

/** `base` is what the image builds FROM: the Debian base, or the run's ProxySQL image. */
function buildArgs(image: BuiltImage['name'], base: string): string[] {
  const args = image === 'proxysql' ? { PROXYSQL_IMAGE: base } : { BASE: base };
  return Object.entries(args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
}

export const benchTag = (image: BuiltImage['name'], benchRun: RunId) => `pgha/${image}:bench-${benchRun}`;

async function buildOnce(image: BuiltImage['name'], base: string, benchRun: RunId, cache: BuildCache): Promise<number> {
  const labels = Object.entries(runLabels(benchRun, `bench-build-${image}`)).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const t = performance.now();
  await runOk(
    'docker',
    ['build', ...(cache === 'cold' ? ['--no-cache'] : []), ...buildArgs(image, base), ...labels, '-t', benchTag(image, benchRun), join(REPO_ROOT, 'images', image)],
    // The classic builder, as fixtures/images.ts uses: the numbers describe that build.
    { env: { ...process.env, DOCKER_BUILDKIT: process.env.DOCKER_BUILDKIT ?? '0' } },
  );
  return (performance.now() - t) / 1000;
}

/** Cold then warm, `repeat` times each, for each image; the warm ones after a cold one. */
export async function measureBuilds(images: readonly BuiltImage['name'][], bases: Partial<Record<BuiltImage['name'], string>>, benchRun: RunId, repeat: number): Promise<BuildTimes[]> {
  const out: BuildTimes[] = [];
  for (const image of images) {
    const base = bases[image];
    if (!base) throw new Error(`no base image given for ${image}`);
    for (const cache of ['cold', 'warm'] as const) {
      const times: BuildTimes = { image, cache, seconds: [] };
      for (let i = 0; i < repeat; i++) {
        const s = await phase(`bench builds: ${image} ${cache} ${i + 1}/${repeat}`, () => buildOnce(image, base, benchRun, cache));
        times.seconds.push(s);
      }
      out.push(times);
    }
  }
  return out;
}

/** Untags the bench's images; layers shared with other images stay. */
export async function removeBenchImages(images: readonly BuiltImage['name'][], benchRun: RunId): Promise<void> {
  for (const image of images) {
    const r = await run('docker', ['rmi', benchTag(image, benchRun)]);
    if (r.code !== 0 && !/No such image/.test(r.stderr)) note(`  could not remove ${benchTag(image, benchRun)}: ${r.stderr.trim().split('\n').pop()}`);
  }
  // --no-cache builds leave their superseded layers untagged; only the bench's own labelled ones go.
  await run('docker', ['image', 'prune', '-f', '--filter', `label=pgha.run=${benchRun}`]);
}
