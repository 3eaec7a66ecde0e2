// A real registry (Debian's docker-registry, images/registry) in a labelled container:
// promote's push goes to it over plain HTTP on 127.0.0.1, and the image comes back by
// digest as the very image that was pushed. No cluster needed (vitest project `promote`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { requireDocker, run, runOk } from '../fixtures/docker.ts';
import { ensureBaseImage } from '../fixtures/base-image.ts';
import { REPO_ROOT } from '../model/paths.ts';
import { newRunId, runLabels } from '../fixtures/labels.ts';
import { removeRun } from '../fixtures/reaper.ts';
import { note } from '../fixtures/progress.ts';
import { pullByDigest, pushVerified, untag, type PushableImage, type PushedImage } from '../promote/registry.ts';

const runId = newRunId();
const REF = 'pgha/registry:local';
let registry = '';
let image: PushableImage;
const made: string[] = [];
const seconds = (t: number) => ((performance.now() - t) / 1000).toFixed(1);

beforeAll(async () => {
  await requireDocker();
  let t = performance.now();
  const base = await ensureBaseImage();
  await runOk('docker', ['build', '-q', '--build-arg', `BASE=${base}`, '-t', REF, join(REPO_ROOT, 'images', 'registry')], {
    env: { ...process.env, DOCKER_BUILDKIT: process.env.DOCKER_BUILDKIT ?? '0' },
  });
  note(`registry image built in ${seconds(t)} s`);
  image = { name: 'registry', ref: REF, digest: (await runOk('docker', ['image', 'inspect', '--format', '{{.Id}}', REF])).trim() };
  t = performance.now();
  const labels = Object.entries(runLabels(runId, 'registry')).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const id = (await runOk('docker', ['run', '-d', ...labels, '-p', '127.0.0.1::5000', REF])).trim();
  const port = (await runOk('docker', ['port', id, '5000/tcp'])).trim().split('\n')[0]!.split(':').pop();
  registry = `127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ok = await fetch(`http://${registry}/v2/`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`registry at ${registry} did not answer /v2/ in 20 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  note(`registry up at ${registry} in ${seconds(t)} s`);
});

afterAll(async () => {
  await untag(made);
  await removeRun(runId);
});

describe('promote pushes to a real registry', () => {
  let pushed: PushedImage<PushableImage>;

  it('Docker lets a push to 127.0.0.1 go over plain HTTP (127.0.0.0/8 is insecure-allowed by default)', async () => {
    const cidrs = JSON.parse(await runOk('docker', ['info', '--format', '{{json .RegistryConfig.InsecureRegistryCIDRs}}'])) as string[];
    expect(cidrs).toContain('127.0.0.0/8');
  });

  it('pushes the image by ID and gets back a manifest digest', async () => {
    const t = performance.now();
    const all = await pushVerified(registry, [image]);
    expect(all).toHaveLength(1);
    pushed = all[0]!;
    made.push(pushed.tag, pushed.byDigest);
    note(`pushed ${image.digest} as ${pushed.byDigest} in ${seconds(t)} s`);
    expect(pushed.byDigest).toMatch(new RegExp(`^${registry}/pgha/registry@sha256:[0-9a-f]{64}$`));
  });

  it('the registry serves that manifest by digest', async () => {
    const digest = pushed.byDigest.split('@')[1]!;
    const res = await fetch(`http://${registry}/v2/pgha/registry/manifests/${digest}`, {
      method: 'HEAD',
      headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
  });

  it('pulls back by digest the very image that was tested', async () => {
    await run('docker', ['rmi', '--no-prune', pushed.tag]);
    const t = performance.now();
    expect(await pullByDigest(pushed.byDigest)).toBe(image.digest);
    note(`pulled back by digest in ${seconds(t)} s`);
  });
});
