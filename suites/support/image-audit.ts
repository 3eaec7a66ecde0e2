// What an image tells anyone who pulls it, without running it: its build history, its
// config (env, entrypoint, labels) and whether credential files are baked into its layers.
import { docker, runOk } from '../../fixtures/docker.ts';
import { runLabels, type RunId } from '../../fixtures/labels.ts';

export interface Needle {
  /** What the value is, for the message (never the value itself). */
  name: string;
  value: string;
}

/**
 * Needles found in the text. A value is matched as a whole token (not inside a longer
 * word or path), so a default like 'admin' does not fire on 'administrator'.
 */
export function leaks(text: string, needles: readonly Needle[]): string[] {
  return needles
    .filter(({ value }) => {
      const v = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return new RegExp(`(^|[^A-Za-z0-9_])${v}($|[^A-Za-z0-9_])`).test(text);
    })
    .map((n) => n.name);
}

/** A setting whose name says it holds a secret. */
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*(password|passwd|secret|token|key)[A-Za-z0-9_]*$/i;

/**
 * `NAME=value` settings in an image's history or config whose name says password, secret,
 * token or key and whose value is not empty, whatever the value: a secret baked in is one
 * whatever it is, not only this run's or a published default. Returns the names (never the
 * values), each once.
 */
export function secretShapedSettings(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s"',\]}]*)/g)) {
    const [, name, raw] = m;
    const value = raw!.replace(/^["']|["']$/g, '');
    if (SECRET_NAME.test(name!) && value !== '') found.add(name!);
  }
  return [...found];
}

/** The image's history (every layer's command, untruncated) and its inspect document. */
export async function imageMetadataText(ref: string): Promise<{ history: string; config: string }> {
  const history = await runOk('docker', ['history', '--no-trunc', '--format', '{{.CreatedBy}}', ref]);
  const config = JSON.stringify(await docker.getImage(ref).inspect());
  return { history, config };
}

/**
 * The script the image runs first: the last absolute path in its ENTRYPOINT (after any
 * init such as tini). Read from the image, so each flavor's own entrypoint is probed.
 */
export async function entrypointScript(ref: string): Promise<string> {
  const entry = ((await docker.getImage(ref).inspect()).Config.Entrypoint ?? []) as string[];
  const script = entry.filter((a) => a.startsWith('/')).pop();
  if (!script) throw new Error(`${ref} has no ENTRYPOINT script (ENTRYPOINT ${JSON.stringify(entry)})`);
  return script;
}

/** The first file in a tar archive (what Docker's archive API returns for one path). */
export function firstTarEntry(tar: Buffer): string {
  const size = parseInt(tar.subarray(124, 136).toString().replace(/\0.*$/s, '').trim() || '0', 8);
  return tar.subarray(512, 512 + size).toString();
}

/**
 * The content of each path in the image's file system (null where there is no such file),
 * read from a created, never started, container labelled as this run's probe.
 */
export async function filesInImage(runId: RunId, ref: string, paths: readonly string[]): Promise<Map<string, string | null>> {
  const c = await docker.createContainer({ Image: ref, Labels: runLabels(runId, 'security-probe'), HostConfig: { NetworkMode: 'none' } });
  try {
    const files = new Map<string, string | null>();
    for (const path of paths) {
      try {
        const stream = await c.getArchive({ path });
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        files.set(path, firstTarEntry(Buffer.concat(chunks)));
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode !== 404) throw e;
        files.set(path, null);
      }
    }
    return files;
  } finally {
    await c.remove({ force: true });
  }
}

/**
 * Lines of a file that hold a credential. In a password store (.pgpass, pool_passwd,
 * pcp.conf) every entry does; in a config file, a password setting with a value does.
 */
export function credentialLines(kind: 'store' | 'config', content: string): string[] {
  const lines = significantLines(content);
  if (kind === 'store') return lines;
  return lines.filter((l) => /password\s*=\s*'?[^'\s]/i.test(l.replace(/password\s*=\s*''/gi, '')));
}

/** A config file's lines without comments and blanks: what the program reads. */
export function significantLines(content: string): string[] {
  return content.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}
