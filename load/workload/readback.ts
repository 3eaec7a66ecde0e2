// Reads back what the database holds, straight from the current primary (not through a
// router): the checkers compare it with what clients were told.
import { connect, endpointOf, appCredentials, closeClient } from '../../cluster/clients.ts';
import type { ClusterInfo } from '../../cluster/info.ts';
import { dataNodes, type NodeName } from '../../model/topology.ts';
import { inRecovery } from '../../cluster/observe.ts';
import { WRITES_TABLE } from './schema.ts';
import type { KeyRange } from './workload.ts';
import type { WriteRow } from '../../model/history.ts';

export interface ReadBack {
  /** The node the rows were read from. */
  from: NodeName;
  /** Every data node that was writable at read time: more than one is a split brain. */
  writable: NodeName[];
  rows: WriteRow[];
}

/** Reads the rows of `keys` from the primary (the writable node on the highest timeline). */
export async function readBack(info: ClusterInfo, keys: KeyRange): Promise<ReadBack> {
  const recovery = await Promise.all(dataNodes().map(async (n) => [n.name, await inRecovery(info, n.name)] as const));
  const writable = recovery.filter(([, r]) => r === false).map(([n]) => n);
  if (writable.length === 0) throw new Error('read back: no data node is writable (no primary)');
  const byNode = await Promise.all(writable.map(async (n) => ({ node: n, rows: await readRows(info, n, keys) })));
  const best = byNode.reduce((a, b) => (maxTimeline(b.rows) > maxTimeline(a.rows) ? b : a));
  return { from: best.node, writable, rows: best.rows };
}

const maxTimeline = (rows: readonly WriteRow[]) => rows.reduce((m, r) => Math.max(m, r.timeline), 0);

export async function readRows(info: ClusterInfo, node: NodeName, keys: KeyRange): Promise<WriteRow[]> {
  const client = await connect(endpointOf(info, node), appCredentials(info));
  try {
    const r = await client.query<{ id: string; writer: number; timeline: number; ms: string; node: string }>(
      `SELECT id::text, writer, timeline, (extract(epoch FROM committed_at) * 1000)::bigint::text AS ms, node
         FROM ${WRITES_TABLE} WHERE id BETWEEN $1 AND $2 ORDER BY committed_at, id`,
      [keys.from, keys.to],
    );
    return r.rows.map((x) => ({ id: Number(x.id), writer: x.writer, timeline: x.timeline, committedAt: Number(x.ms), node: x.node }));
  } finally {
    await closeClient(client);
  }
}
