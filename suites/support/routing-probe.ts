// Sends a routing case through a proxy and reads back which node served it. Each case is
// sent three ways: as written (the simple query protocol), as its parameterised twin (the
// extended protocol with the unnamed statement, as node-postgres sends any query with $1),
// and as a named prepared statement (parsed once per session, then bound and executed by
// name: what pgx and PgJDBC send once a statement is reused).
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Destination, RoutingCase } from '../../model/proxy-contract.ts';
import type { ReusedNamedStatementRouting } from '../../model/router-flavors.ts';

export type Protocol = 'simple' | 'extended' | 'named';
export const PROTOCOLS: readonly Protocol[] = ['simple', 'extended', 'named'];

const WHO_LITERAL = "'cluster_name'";

export interface Statement {
  text: string;
  /** Present (and non-empty) exactly when the statement goes over the extended protocol. */
  values?: (string | number)[];
  /** The prepared statement's name, for the named protocol only. */
  name?: string;
}

/**
 * The statement a case sends over a protocol. The extended twin passes the setting name
 * as $1, so the text differs only where a parameter stands for a literal.
 */
export function statementFor(sql: string, protocol: Protocol): Statement {
  if (protocol === 'simple') return { text: sql };
  if (!sql.includes(WHO_LITERAL)) throw new Error(`no ${WHO_LITERAL} literal to parameterise in: ${sql}`);
  return parameterised(sql.replaceAll(WHO_LITERAL, '$1'), ['cluster_name'], protocol);
}

/** A statement with its parameters over the extended protocol: unnamed, or named after its text. */
export function parameterised(text: string, values: (string | number)[], protocol: Exclude<Protocol, 'simple'>): Statement {
  // One name per text: a session prepares it once and reuses it, as a driver's statement cache does.
  const name = protocol === 'named' ? `pgha_${createHash('sha256').update(text).digest('hex').slice(0, 16)}` : undefined;
  return name ? { text, values, name } : { text, values };
}

/** The statement as node-postgres takes it. */
export function queryOf(s: Statement): string | pg.QueryConfig {
  return s.values ? { text: s.text, values: s.values, ...(s.name ? { name: s.name } : {}) } : s.text;
}

/** Runs the case once and returns the node that served it (the statement's `node` column). */
export async function servedBy(client: pg.Client, c: Pick<RoutingCase, 'sql' | 'name'>, protocol: Protocol): Promise<string> {
  const s = statementFor(c.sql, protocol);
  const r = await client.query<{ node: string }>(queryOf(s));
  const who = r.rows[0]?.node;
  if (typeof who !== 'string') throw new Error(`${c.name} (${protocol}) returned no node: ${JSON.stringify(r.rows)}`);
  return who;
}

/** A statement of a sequence on one session: where the contract sends it, and whether the session sends it for the first time. */
export interface Sent {
  destination: Destination;
  firstUse: boolean;
}

/**
 * Where each statement of a sequence runs on a router. Only a named statement's reuse can
 * differ from the contract (the other protocols parse every time): on a 'previous-statement'
 * router it runs where the statement before it ran.
 */
export function expectedDestinations(sequence: readonly Sent[], protocol: Protocol, reused: ReusedNamedStatementRouting): Destination[] {
  const out: Destination[] = [];
  sequence.forEach((s, i) => {
    const byText = protocol !== 'named' || reused === 'by-text' || s.firstUse || i === 0;
    out.push(byText ? s.destination : out[i - 1]!);
  });
  return out;
}
