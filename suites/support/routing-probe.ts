// Sends a routing case through a proxy and reads back which node served it. Each case is
// sent twice over: as written (the simple query protocol) and as its parameterised twin
// (the extended protocol: Parse/Bind/Execute, as node-postgres sends any query with $1).
import type pg from 'pg';
import type { RoutingCase } from '../../model/proxy-contract.ts';

export type Protocol = 'simple' | 'extended';
export const PROTOCOLS: readonly Protocol[] = ['simple', 'extended'];

const WHO_LITERAL = "'cluster_name'";

export interface Statement {
  text: string;
  /** Present (and non-empty) exactly when the statement goes over the extended protocol. */
  values?: string[];
}

/**
 * The statement a case sends over a protocol. The extended twin passes the setting name
 * as $1, so the text differs only where a parameter stands for a literal.
 */
export function statementFor(sql: string, protocol: Protocol): Statement {
  if (protocol === 'simple') return { text: sql };
  if (!sql.includes(WHO_LITERAL)) throw new Error(`no ${WHO_LITERAL} literal to parameterise in: ${sql}`);
  return { text: sql.replaceAll(WHO_LITERAL, '$1'), values: ['cluster_name'] };
}

/** Runs the case once and returns the node that served it (the statement's `node` column). */
export async function servedBy(client: pg.Client, c: Pick<RoutingCase, 'sql' | 'name'>, protocol: Protocol): Promise<string> {
  const s = statementFor(c.sql, protocol);
  const r = await client.query<{ node: string }>(s.values ? { text: s.text, values: s.values } : s.text);
  const who = r.rows[0]?.node;
  if (typeof who !== 'string') throw new Error(`${c.name} (${protocol}) returned no node: ${JSON.stringify(r.rows)}`);
  return who;
}
