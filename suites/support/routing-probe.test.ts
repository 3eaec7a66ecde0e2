import { describe, expect, it } from 'vitest';
import { ROUTING_CASES } from '../../model/proxy-contract.ts';
import { expectedDestinations, queryOf, statementFor, type Sent } from './routing-probe.ts';

describe('statementFor', () => {
  it('sends a case as written over the simple protocol', () => {
    expect(statementFor("SELECT current_setting('cluster_name') AS node", 'simple')).toEqual({ text: "SELECT current_setting('cluster_name') AS node" });
  });

  it('turns the setting name into $1 for the extended protocol, in every place it occurs', () => {
    expect(statementFor("UPDATE t SET node = current_setting('cluster_name') RETURNING current_setting('cluster_name') AS node", 'extended')).toEqual({
      text: 'UPDATE t SET node = current_setting($1) RETURNING current_setting($1) AS node',
      values: ['cluster_name'],
    });
  });

  it('has a parameterised twin for every routing case', () => {
    for (const c of ROUTING_CASES) expect(statementFor(c.sql, 'extended').values, c.name).toEqual(['cluster_name']);
  });

  it('names a prepared statement after its text for the named protocol: the same text, the same name, reused per session', () => {
    const a = statementFor("SELECT current_setting('cluster_name') AS node", 'named');
    const b = statementFor("SELECT current_setting('cluster_name') AS node", 'named');
    const other = statementFor("INSERT INTO t(node) VALUES (current_setting('cluster_name')) RETURNING node", 'named');
    expect(a).toEqual({ text: 'SELECT current_setting($1) AS node', values: ['cluster_name'], name: expect.stringMatching(/^pgha_[0-9a-f]{16}$/) });
    expect(b.name).toBe(a.name);
    expect(other.name).not.toBe(a.name);
    expect(queryOf(a)).toEqual({ text: a.text, values: a.values, name: a.name });
    expect(queryOf(statementFor("SELECT current_setting('cluster_name') AS node", 'extended'))).not.toHaveProperty('name');
  });

  it('refuses a statement with nothing to parameterise rather than sending it unparameterised', () => {
    expect(() => statementFor('SELECT 1', 'extended')).toThrow(/parameterise/);
  });
});

describe('expectedDestinations', () => {
  const w = (firstUse: boolean): Sent => ({ destination: 'writer', firstUse });
  const r = (firstUse: boolean): Sent => ({ destination: 'readers', firstUse });
  const alternating = [r(true), w(true), r(false), w(false), w(false), r(false)];

  it('is the contract for every protocol on a router that routes a reused named statement by its text', () => {
    for (const p of ['simple', 'extended', 'named'] as const) {
      expect(expectedDestinations(alternating, p, 'by-text')).toEqual(['readers', 'writer', 'readers', 'writer', 'writer', 'readers']);
    }
  });

  it("runs a reused named statement where the previous one ran on a 'previous-statement' router, and a first use by its text", () => {
    expect(expectedDestinations(alternating, 'named', 'previous-statement')).toEqual(['readers', 'writer', 'writer', 'writer', 'writer', 'writer']);
    expect(expectedDestinations([w(true), r(true), w(false), r(true)], 'named', 'previous-statement')).toEqual(['writer', 'readers', 'readers', 'readers']);
  });

  it('is the contract for the protocols that parse every statement, whatever the router does with reused names', () => {
    expect(expectedDestinations(alternating, 'extended', 'previous-statement')).toEqual(expectedDestinations(alternating, 'named', 'by-text'));
  });
});
