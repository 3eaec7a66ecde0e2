// Starts an image with a given environment and watches what it does on its own: for the
// claim that an image refuses to run with a missing or a published default password.
import { demuxLog, docker } from '../../fixtures/docker.ts';
import { runLabels, type RunId } from '../../fixtures/labels.ts';

export interface StartupOutcome {
  /** Exit code, or null if the container was still running after `watchMs`. */
  exitCode: number | null;
  log: string;
}

/**
 * Runs the image (no network, labelled as this run's probe so teardown finds it) until it
 * exits or `watchMs` passes, then removes it.
 */
export async function startupOutcome(runId: RunId, ref: string, env: Readonly<Record<string, string>>, watchMs: number): Promise<StartupOutcome> {
  const c = await docker.createContainer({
    Image: ref,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: runLabels(runId, 'security-probe'),
    HostConfig: { NetworkMode: 'none' },
  });
  try {
    await c.start();
    const exited = (await Promise.race([
      c.wait() as Promise<{ StatusCode: number }>,
      new Promise<null>((r) => setTimeout(() => r(null), watchMs)),
    ])) as { StatusCode: number } | null;
    const log = demuxLog((await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer);
    return { exitCode: exited ? exited.StatusCode : null, log };
  } finally {
    await c.remove({ force: true, v: true });
  }
}
