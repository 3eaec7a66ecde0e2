// The run's orders and positions, read straight from one node (the primary the workload's
// read-back chose), not through a router: what the checkers hold the answers against.
import { appCredentials, connect, endpointOf, closeClient } from '../../cluster/clients.ts';
import type { ClusterInfo } from '../../cluster/info.ts';
import type { NodeName } from '../../model/topology.ts';
import type { OrdersReadBack } from '../../model/http-history.ts';
import { ORDERS_TABLE, POSITIONS_TABLE } from './schema.ts';

/** Orders whose client id, and positions whose account, start with `${runTag}-`. */
export async function readOrders(info: ClusterInfo, node: NodeName, runTag: string): Promise<OrdersReadBack> {
  const client = await connect(endpointOf(info, node), appCredentials(info));
  try {
    const like = `${runTag.replace(/[\\%_]/g, (c) => `\\${c}`)}-%`;
    const orders = await client.query<{ client_order_id: string; account: string; symbol: string; side: 'buy' | 'sell'; qty: number }>(
      `SELECT client_order_id, account, symbol, side, qty FROM ${ORDERS_TABLE} WHERE client_order_id LIKE $1 ORDER BY id`,
      [like],
    );
    const positions = await client.query<{ account: string; symbol: string; qty: string }>(
      `SELECT account, symbol, qty::text FROM ${POSITIONS_TABLE} WHERE account LIKE $1 ORDER BY account, symbol`,
      [like],
    );
    return {
      from: node,
      orders: orders.rows.map((r) => ({ clientOrderId: r.client_order_id, account: r.account, symbol: r.symbol, side: r.side, qty: r.qty })),
      positions: positions.rows.map((r) => ({ account: r.account, symbol: r.symbol, qty: Number(r.qty) })),
    };
  } finally {
    await closeClient(client);
  }
}
