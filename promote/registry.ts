// Tags verified images and pushes them to REGISTRY; returns the manifest digest the
// registry holds, which is what Railway is pointed at (a tag can move, a digest can't).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { run, runOk } from '../fixtures/docker.ts';
import type { RecordedImage } from './verified-record.ts';

export interface RegistryAuth {
  username: string;
  password: string;
}

/** Anything with a name and an image ID can be pushed; promote pushes RecordedImages. */
export type PushableImage = Pick<RecordedImage, 'ref' | 'digest'> & { name: string };

export interface PushedImage<I extends PushableImage = RecordedImage> {
  image: I;
  /** `<registry>/pgha/<name>:verified-<id>` */
  tag: string;
  /** `<registry>/pgha/<name>@sha256:...`: the reference Railway deploys. */
  byDigest: string;
}

export const repoFor = (registry: string, name: string) => `${registry.replace(/\/+$/, '')}/pgha/${name}`;
export const tagFor = (registry: string, img: PushableImage) => `${repoFor(registry, img.name)}:verified-${img.digest.replace(/^sha256:/, '').slice(0, 12)}`;

/** REGISTRY_USERNAME / REGISTRY_PASSWORD, both or neither: one alone is a mistake, said at once. */
export function registryAuthFromEnv(env: NodeJS.ProcessEnv): RegistryAuth | undefined {
  if (env.REGISTRY_USERNAME && env.REGISTRY_PASSWORD) return { username: env.REGISTRY_USERNAME, password: env.REGISTRY_PASSWORD };
  if (env.REGISTRY_USERNAME || env.REGISTRY_PASSWORD) {
    throw new Error(`${env.REGISTRY_USERNAME ? 'REGISTRY_USERNAME' : 'REGISTRY_PASSWORD'} is set without the other: set both (a private registry) or neither`);
  }
  return undefined;
}

/** The manifest digest Docker recorded for `repo` after a push or a pull by digest. */
async function repoDigest(imageId: string, repo: string, dockerArgs: string[]): Promise<string> {
  const out = await runOk('docker', [...dockerArgs, 'image', 'inspect', '--format', '{{json .RepoDigests}}', imageId]);
  const digests = JSON.parse(out) as string[];
  const hit = digests.find((d) => d.startsWith(`${repo}@`));
  if (!hit) throw new Error(`pushed ${repo}, but Docker recorded no digest for it`);
  return hit;
}

/**
 * Pushes each image (by image ID, so what goes out is what was tested). Credentials, when
 * given, go to a throwaway Docker config, never to the user's ~/.docker.
 */
export async function pushVerified<I extends PushableImage>(registry: string, images: readonly I[], auth?: RegistryAuth): Promise<PushedImage<I>[]> {
  const configDir = mkdtempSync(join(tmpdir(), 'pgha-docker-config-'));
  const dockerArgs = auth ? ['--config', configDir] : [];
  try {
    if (auth) {
      const host = registry.split('/')[0]!;
      await runOk('docker', [...dockerArgs, 'login', host, '--username', auth.username, '--password-stdin'], { input: Readable.from([auth.password]) });
    }
    const pushed: PushedImage<I>[] = [];
    for (const image of images) {
      const tag = tagFor(registry, image);
      await runOk('docker', ['tag', image.digest, tag]);
      await runOk('docker', [...dockerArgs, 'push', tag]);
      pushed.push({ image, tag, byDigest: await repoDigest(image.digest, repoFor(registry, image.name), dockerArgs) });
    }
    return pushed;
  } finally {
    rmSync(configDir, { recursive: true, force: true });
  }
}

/** Pulls a reference by digest and returns the image ID Docker ended up with. */
export async function pullByDigest(byDigest: string): Promise<string> {
  await runOk('docker', ['pull', byDigest]);
  return (await runOk('docker', ['image', 'inspect', '--format', '{{.Id}}', byDigest])).trim();
}

/** Removes tags this process added (never the image: others may use it). */
export async function untag(refs: readonly string[]): Promise<void> {
  for (const r of refs) await run('docker', ['rmi', '--no-prune', r]);
}
