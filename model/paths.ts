// Where things are on disk, from the checkout's root, so no module counts `..` on its own.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Every run's output: reports/out/<run-id>/. */
export const REPORTS_OUT = join(REPO_ROOT, 'reports', 'out');

/** A run's own output directory, made on first use. */
export function runDir(runId: string): string {
  const dir = join(REPORTS_OUT, runId);
  mkdirSync(dir, { recursive: true });
  return dir;
}
