// The trading service's own tables. `client_order_id` is unique, so a client may retry an
// order it got no answer for without placing it twice, and the checkers can look up each
// acknowledged order at the end. Positions move in the same statement as the order.
import { appCredentials, connectFirst, closeClient } from '../../cluster/clients.ts';
import { routerEndpoints, type ClusterInfo } from '../../cluster/info.ts';

export const ORDERS_TABLE = 'trading_orders';
export const POSITIONS_TABLE = 'trading_positions';

export const CREATE_TRADING_SQL = [
  `CREATE TABLE IF NOT EXISTS ${ORDERS_TABLE} (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_order_id text NOT NULL UNIQUE,
    account text NOT NULL,
    symbol text NOT NULL,
    side text NOT NULL CHECK (side IN ('buy', 'sell')),
    qty int NOT NULL CHECK (qty > 0),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    node text NOT NULL DEFAULT current_setting('cluster_name')
  )`,
  `CREATE TABLE IF NOT EXISTS ${POSITIONS_TABLE} (
    account text NOT NULL,
    symbol text NOT NULL,
    qty bigint NOT NULL,
    PRIMARY KEY (account, symbol)
  )`,
];

/** Creates the tables if missing, through the routers (DDL goes to the writer). */
export async function createTradingSchema(info: ClusterInfo): Promise<void> {
  const { client } = await connectFirst(routerEndpoints(info), appCredentials(info));
  try {
    // One statement a query: a router may route a multi-statement string by its first.
    for (const sql of CREATE_TRADING_SQL) await client.query(sql);
  } finally {
    await closeClient(client);
  }
}
