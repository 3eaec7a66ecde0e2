// Writers (and optional readers) through the routers at a target rate, each operation
// recorded in the history. Clients fail over between the routers with connectFirst, as
// libpq would with a host list; client i starts at router i mod 2 so both routers carry
// traffic and each one's routing can be timed.
import { randomInt } from 'node:crypto';
import type pg from 'pg';
import { appCredentials, connectFirst, closeClient } from '../../cluster/clients.ts';
import type { NodeName } from '../../model/topology.ts';
import { CLAIMS, toMs } from '../../model/claims.ts';
import { startClock, type RunClock } from './clock.ts';
import type { Op, OpKind } from '../../model/history.ts';
import { classifyFailure } from './outcome.ts';
import { INSERT_WRITE_SQL, WRITES_TABLE } from './schema.ts';
import { current, routerOrder, type ClusterSource, type NamedEndpoint } from './source.ts';
import { createReadiness } from './readiness.ts';

export interface WorkloadOptions {
  /** Concurrent writer clients (default 4). */
  writers?: number;
  /** Concurrent reader clients (default 0). */
  readers?: number;
  /** Writes per second over all writers (default 40). */
  writeRate?: number;
  /** Reads per second over all readers (default 40). */
  readRate?: number;
  /**
   * Writes per second through each router alone (default 5; 0: none). Host-list clients
   * stick to the router that answered, so without these a router's recovery can't be seen.
   */
  routerProbeRate?: number;
  /** A statement not answered within this is abandoned as unknown (default OP_TIMEOUT_MS). */
  opTimeoutMs?: number;
  /** Per router connect timeout (default: the documented clients', CLAIMS.clientConnectTimeoutSecs). */
  connectTimeoutMs?: number;
  /** Share one clock with the role sampler and the nemesis (default: a new one). */
  clock?: RunClock;
}

/** How long the workload's clients wait for an answer before they abandon a statement as unknown. */
export const OP_TIMEOUT_MS = 5000;

/** The keys this workload writes: a random block, so runs on one cluster never collide. */
export interface KeyRange {
  from: number;
  to: number;
}

export interface Workload {
  readonly clock: RunClock;
  readonly keys: KeyRange;
  /** A copy of the history so far: completed operations, in completion order. */
  history(): Op[];
  /** Resolves with the clock time when every client (writers, readers, probes) had its first session. */
  readonly ready: Promise<number>;
  /** The clients that have not had a session yet. */
  waiting(): string[];
  /** Stops the clients, waits for in-flight operations, returns the full history. */
  stop(): Promise<Op[]>;
}

const BLOCK = 2 ** 33;

function newKeyRange(): KeyRange {
  // 2^20 blocks of 2^33 keys: all below 2^53, so keys stay exact as JS numbers.
  const block = randomInt(1, 2 ** 20);
  return { from: block * BLOCK, to: (block + 1) * BLOCK - 1 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

class Timeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(ms)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

interface Session {
  client: pg.Client;
  via: NamedEndpoint;
  /** The first error the connection raised outside a query (e.g. a reply nobody asked for). */
  brokenBy?: string;
}

export async function startWorkload(source: ClusterSource, opts: WorkloadOptions = {}): Promise<Workload> {
  const clock = opts.clock ?? startClock();
  const keys = newKeyRange();
  const writers = opts.writers ?? 4;
  const readers = opts.readers ?? 0;
  const opTimeoutMs = opts.opTimeoutMs ?? OP_TIMEOUT_MS;
  // As the documented clients connect (connect_timeout 2 s). With 1 s, a CI smoke run's
  // clients connected to neither router for 20 s after a router kill, every attempt timing
  // out at 1.0 s while established sessions ran: a new pgpool session took 0.1-1.07 s here
  // with three busy loops on the 2 cores, and CI ran a second cluster's chaos run beside it.
  const connectTimeoutMs = opts.connectTimeoutMs ?? toMs(CLAIMS.clientConnectTimeoutSecs);
  const ops: Op[] = [];
  const acked: number[] = [];
  let nextKey = keys.from;
  let stopping = false;

  const session = async (i: number, pin?: NodeName): Promise<Session> => {
    const info = current(source);
    const order = routerOrder(info, i).filter((r) => !pin || r.name === pin);
    const c = await connectFirst(order, appCredentials(info), connectTimeoutMs);
    const s: Session = { client: c.client, via: c.endpoint as NamedEndpoint };
    // pg reports the cause here and later queries only say "not queryable": keep the cause.
    c.client.on('error', (e: Error) => {
      s.brokenBy ??= e.message;
    });
    return s;
  };

  const processOf = (kind: OpKind, index: number, pin?: NodeName) => (pin ? `p-${pin}` : `${kind === 'write' ? 'w' : 'r'}${index}`);
  const probes = opts.routerProbeRate === 0 ? [] : routerOrder(current(source), 0).map((r) => r.name);
  const readiness = createReadiness(
    [...Array.from({ length: writers }, (_, i) => processOf('write', i)), ...Array.from({ length: readers }, (_, i) => processOf('read', i)), ...probes.map((r) => processOf('write', 0, r))],
    () => clock.now(),
  );

  const runClient = async (kind: OpKind, index: number, rate: number, pin?: NodeName): Promise<void> => {
    const process = processOf(kind, index, pin);
    const intervalMs = 1000 / rate;
    let s: Session | undefined;
    let seq = 0;
    // Start at a random point of the interval so clients don't fire in lockstep.
    let slot = clock.now() + Math.random() * intervalMs;
    while (!stopping) {
      await sleep(slot - clock.now());
      if (stopping) break;
      const key = kind === 'write' ? nextKey++ : (acked[acked.length - 1 - randomInt(0, Math.min(acked.length, 50) || 1)] ?? keys.from);
      const invokedAt = clock.now();
      const base = { id: `${process}:${seq++}`, kind, process, key, invokedAt, invokedWall: clock.wallOf(invokedAt), ...(pin ? { pinnedTo: pin } : {}) };
      let sent = false;
      try {
        s ??= await within(session(kind === 'write' ? index : index + 1, pin), opTimeoutMs);
        readiness.connected(process);
        sent = true;
        const via: NodeName = s.via.name;
        if (kind === 'write') {
          const r = await within(s.client.query<{ node: string; timeline: number }>(INSERT_WRITE_SQL, [key, index]), opTimeoutMs);
          acked.push(key);
          const row = r.rows[0];
          const stray = row ? {} : { strayReply: `'${r.command ?? '?'}' with ${r.rowCount ?? 0} row(s)` };
          ops.push({ ...base, completedAt: clock.now(), outcome: 'ok', via, node: row?.node, timeline: row?.timeline, ...stray });
        } else {
          const r = await within(
            s.client.query<{ node: string; n: number }>(
              `SELECT current_setting('cluster_name') AS node, count(*)::int AS n FROM ${WRITES_TABLE} WHERE id = $1`,
              [key],
            ),
            opTimeoutMs,
          );
          const row = r.rows[0];
          ops.push({ ...base, completedAt: clock.now(), outcome: 'ok', via, node: row?.node, found: (row?.n ?? 0) > 0 });
        }
      } catch (e) {
        // Reads change nothing: a read that didn't answer simply failed.
        const c = classifyFailure(e, sent);
        const outcome = kind === 'read' ? 'fail' : c.outcome;
        const error = s?.brokenBy ? `${c.error} (the connection broke earlier: ${s.brokenBy})` : c.error;
        ops.push({ ...base, completedAt: clock.now(), outcome, error, ...(c.sqlstate ? { sqlstate: c.sqlstate } : {}), ...(s ? { via: s.via.name } : {}) });
        // Whatever went wrong, the next operation starts on a fresh connection.
        const dead = s;
        s = undefined;
        if (dead) void dead.client.end().catch(() => {});
      }
      slot += intervalMs;
      // After a stall, skip the missed slots instead of bursting to catch up.
      if (slot < clock.now()) slot = clock.now();
    }
    if (s) await closeClient(s.client);
  };

  const running = [
    ...Array.from({ length: writers }, (_, i) => runClient('write', i, (opts.writeRate ?? 40) / writers)),
    ...Array.from({ length: readers }, (_, i) => runClient('read', i, (opts.readRate ?? 40) / readers)),
    ...probes.map((r, i) => runClient('write', 100 + i, opts.routerProbeRate ?? 5, r)),
  ];

  return {
    clock,
    keys,
    history: () => [...ops],
    ready: readiness.ready,
    waiting: () => readiness.waiting(),
    stop: async () => {
      stopping = true;
      await Promise.all(running);
      return [...ops];
    },
  };
}
