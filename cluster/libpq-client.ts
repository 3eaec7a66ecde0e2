// A libpq client (psql) run inside a container on the cluster network: the way to test
// what libpq itself does with a host list (node-postgres has no multi-host strings).
// The password travels in the exec's environment, never on a command line.
import { execIn, type ExecResult } from '../fixtures/docker.ts';

/** Runs a command inside a container with extra environment variables, as `user`. */
export function execWithEnv(container: string, cmd: readonly string[], env: Readonly<Record<string, string>>, user = 'root'): Promise<ExecResult> {
  return execIn(container, cmd, user, env);
}

export interface PsqlResult extends ExecResult {
  /** The unaligned, tuples-only output lines. */
  rows: string[];
}

/** Runs one statement with psql inside the container, over the given libpq conninfo. */
export async function psqlIn(container: string, conninfo: string, password: string, sql: string): Promise<PsqlResult> {
  const r = await execWithEnv(container, ['psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', conninfo, '-c', sql], { PGPASSWORD: password });
  return { ...r, rows: r.stdout.split('\n').filter(Boolean) };
}
