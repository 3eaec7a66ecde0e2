// One fault trial under load, for the suites: the workload through both routers and the
// role sampler on one clock, a body that injects faults through the nemesis, then every
// fault healed under load, the cluster proven formed again and the rows read back. What comes out
// is a RunHistory, so the suites judge it with the same pure checkers as a chaos run.
// The sequence under load is the core's (under-load.ts), shared with the chaos run; the
// Trial helpers, the heal under load and the failure diagnostics are this file's.
import type { ClusterInfo } from '../cluster/info.ts';
import { waitFormed } from '../cluster/boot.ts';
import { eventually } from '../cluster/wait.ts';
import { writablePrimary } from '../cluster/observe.ts';
import { routers, TOPOLOGY, type NodeName } from '../model/topology.ts';
import { recentLogs, saveLogs } from '../cluster/node-logs.ts';
import { runDir } from '../model/paths.ts';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { onTestFailed } from 'vitest';
import { createWriteSchema, type RunClock, type KeyRange, type Workload, type Op } from '../load/workload/index.ts';
import type { RunHistory } from '../model/history.ts';
import type { Nemesis } from './nemesis/index.ts';
import { runUnderLoad } from './under-load.ts';
import { ownReplies } from './checkers/writes.ts';

export interface Trial {
  clock: RunClock;
  nemesis: Nemesis;
  /** The cluster as last refreshed. */
  info(): ClusterInfo;
  /** Waits until exactly one data node is writable and it is not `old`; returns it. */
  newPrimary(old: NodeName, timeoutMs?: number): Promise<NodeName>;
  /** The writable data node now (throws unless exactly one). */
  primary(): Promise<NodeName>;
  /**
   * Until client writes and each router's probe writes invoked from now on succeed again,
   * and every write sent before has its answer: a write stuck on the lost primary fails
   * only when its timeout fires, and a clock read right after (up to a heal) would end on
   * that failure with no good write after it.
   */
  writesResumed(timeoutMs?: number): Promise<void>;
}

export interface TrialOptions {
  /** Load before the body runs, so the fault hits a busy cluster (default 2000 ms). */
  warmupMs?: number;
  /** Load after the cluster formed again, so recovery is seen in the history (default 2000 ms). */
  settleMs?: number;
  writeRate?: number;
  /** How long the cluster may take to form again after the heal (default 90 s). */
  reformTimeoutMs?: number;
}

export interface TrialResult {
  history: RunHistory;
  keys: KeyRange;
  /** The data node the rows were read back from: the primary after the trial. */
  primaryAfter: NodeName;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A write not answered within this is recorded unknown. */
const WRITE_TIMEOUT_MS = 5000;

/**
 * Until client writes invoked after `since` succeed five times in a row, and each router's
 * own probe writes succeed again; with `drain`, then as long again as a write may hang,
 * so no write still in flight completes (as unknown) after the heal.
 */
async function writesFlowing(workload: Workload, since: number, timeoutMs: number, routerNames: readonly NodeName[], drain: boolean): Promise<void> {
  const flowing = (ops: readonly Op[]) => ops.length >= 5 && ops.slice(-5).every((o) => o.outcome === 'ok');
  await eventually(
    async () => {
      const recent = workload.history().filter((o) => o.kind === 'write' && o.invokedAt >= since);
      const clients = flowing(recent.filter((o) => !o.pinnedTo));
      const probes = routerNames.every((r) => flowing(recent.filter((o) => o.pinnedTo === r)));
      return clients && probes ? true : undefined;
    },
    { timeoutMs, intervalMs: 200, what: 'client and router probe writes succeeding again' },
  );
  if (drain) await sleep(WRITE_TIMEOUT_MS + 500);
}


/** Whose logs a failed trial keeps: every node of the cluster. */
const EVERY_NODE: NodeName[] = TOPOLOGY.map((n) => n.name);

/**
 * Says at once why a trial failed (vitest prints errors only when the whole run ends) and
 * keeps every node's log since it began, before teardown removes the containers.
 */
async function failedTrial(info: ClusterInfo, startedWall: number, when: string, e: Error): Promise<Error> {
  const saved = await saveLogs(info, EVERY_NODE, startedWall, join(runDir(info.runId), `logs-${new Date(startedWall).toISOString().replace(/[:.]/g, '-')}`));
  console.error(`trial failed ${when}${e.message}\nevery node's log since the trial began: ${saved}/\n${await recentLogs(info, EVERY_NODE, startedWall, 120)}`);
  return e;
}

/**
 * The suites judge a trial after it returns (an acknowledged write missing, two primaries):
 * when that fails the test, the history and every node's log since the trial began are
 * kept in the run's folder while the cluster is still up. A redeployed primary's trial lost
 * one acknowledged write in a CI run and left nothing to find out why.
 */
function keepOnFailure(info: ClusterInfo, startedWall: number, history: RunHistory): void {
  const dir = join(runDir(info.runId), `trial-${new Date(startedWall).toISOString().replace(/[:.]/g, '-')}`);
  try {
    onTestFailed(async () => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'history.json'), JSON.stringify(history));
          console.error(`trial judged failed: its history and every node's log since it began: ${await saveLogs(info, EVERY_NODE, startedWall, dir)}/`);
    });
  } catch {
    // Not inside a test (a script's trial): nothing to hook.
  }
}

export async function underLoad(booted: ClusterInfo, body: (t: Trial) => Promise<void>, opts: TrialOptions = {}): Promise<TrialResult> {
  let startedWall = 0;
  const run = await runUnderLoad(booted, {
    // The suites hand in the cluster as booted; a trial before this one may have restarted
    // containers, which then come back on other addresses (a full-cluster stop and start
    // shuffles them), and a partition aimed at stale addresses cuts the wrong nodes.
    refresh: true,
    ready: async (info0) => {
      startedWall = Date.now();
      try {
        // Each trial starts from a formed cluster, whatever the one before it left.
        await waitFormed(info0, opts.reformTimeoutMs ?? 90_000);
        await createWriteSchema(info0);
      } catch (e) {
        throw await failedTrial(info0, startedWall, 'before the fault: ', e as Error);
      }
    },
    workload: { writers: 4, writeRate: opts.writeRate ?? 40, opTimeoutMs: WRITE_TIMEOUT_MS },
    body: async ({ clock, nemesis, info: source, workload }) => {
      const routerNames = routers().map((r) => r.name);
      const trial: Trial = {
        clock,
        nemesis,
        info: source,
        primary: async () => {
          const p = await writablePrimary(source());
          if (!p) throw new Error('not exactly one writable data node');
          return p;
        },
        writesResumed: (timeoutMs = 60_000) => writesFlowing(workload, clock.now(), timeoutMs, routerNames, true),
        newPrimary: (old, timeoutMs = 60_000) =>
          eventually(
            async () => {
              const p = await writablePrimary(source());
              return p && p !== old ? p : undefined;
            },
            { timeoutMs, intervalMs: 100, what: `a primary other than ${old}` },
          ),
      };
      try {
        await sleep(opts.warmupMs ?? 2000);
        const bodyStarted = clock.now();
        await body(trial);
        // Clients recover while the fault is still in: that is the recovery the clocks measure.
        await writesFlowing(workload, bodyStarted, opts.reformTimeoutMs ?? 90_000, routerNames, true);
        // Heal under load, so what a node does when it comes back (rejoin, step down) is in
        // the history too, then wait for the cluster to form again and writes to flow.
        await nemesis.healAll();
        await nemesis.refresh();
        await waitFormed(nemesis.info(), opts.reformTimeoutMs ?? 90_000);
        await writesFlowing(workload, clock.now(), opts.reformTimeoutMs ?? 90_000, routerNames, false);
        await sleep(opts.settleMs ?? 2000);
      } catch (e) {
        // Before the core stops the load and heals: the logs show the cluster as it failed.
        throw await failedTrial(source(), startedWall, '', e as Error);
      }
    },
  });
  // A trial without its rows can't be judged: the read back's own error fails it.
  if (!run.readBack) throw run.readBackError;
  keepOnFailure(run.info, startedWall, run.history);
  // Whatever the case goes on to assert, a router that answered a statement with another
  // statement's reply fails it: the client was told something the database never said.
  const own = ownReplies(run.history);
  if (own.status !== 'pass') throw new Error(`${own.claim}: ${own.summary} (${own.evidence.join('; ')})`);
  return { history: run.history, keys: run.keys, primaryAfter: run.readBack.from };
}
