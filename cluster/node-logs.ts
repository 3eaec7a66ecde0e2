// The last lines each node logged: printed when a check fails, so the reason is in the
// test output and not only in containers that teardown is about to remove.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demuxLog, docker } from '../fixtures/docker.ts';
import type { ClusterInfo } from './info.ts';
import type { NodeName } from '../model/topology.ts';

/** What one container logged since `sinceMs` (Docker counts in whole seconds). */
export async function logSince(id: string, sinceMs: number): Promise<string> {
  const raw = (await docker.getContainer(id).logs({ stdout: true, stderr: true, since: Math.floor(sinceMs / 1000) })) as unknown as Buffer;
  return demuxLog(raw);
}

/**
 * Every line each node logged since `sinceMs`, one file per node in `dir`: what the printed
 * tail leaves out (a repmgrd that died a minute before the check failed) is still there
 * after teardown removed the containers.
 */
export async function saveLogs(info: ClusterInfo, nodes: readonly NodeName[], sinceMs: number, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await Promise.all(
    nodes.map(async (n) => {
      const id = info.nodes[n]?.container;
      if (!id) return;
      const text = await logSince(id, sinceMs).catch((e: Error) => `no logs: ${e.message}\n`);
      writeFileSync(join(dir, `${n}.log`), text);
    }),
  );
  return dir;
}

export async function recentLogs(info: ClusterInfo, nodes: readonly NodeName[], sinceMs: number, maxLines = 40): Promise<string> {
  const parts = await Promise.all(
    nodes.map(async (n) => {
      const id = info.nodes[n]?.container;
      if (!id) return '';
      try {
        // Client errors (read-only refusals during a failover) bury what repmgr and the
        // routers said; they are in the history already.
        const lines = (await logSince(id, sinceMs)).split('\n').filter((l) => l.trim() && !/ app@app (ERROR|STATEMENT|LOG)/.test(l) && !/pcp_main|PCP process|pcp worker/.test(l));
        return `----- ${n} (last ${Math.min(maxLines, lines.length)} lines)\n${lines.slice(-maxLines).join('\n')}`;
      } catch (e) {
        return `----- ${n}: no logs (${(e as Error).message})`;
      }
    }),
  );
  return parts.filter(Boolean).join('\n');
}
