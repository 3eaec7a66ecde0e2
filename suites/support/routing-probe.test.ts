import { describe, expect, it } from 'vitest';
import { ROUTING_CASES } from '../../model/proxy-contract.ts';
import { statementFor } from './routing-probe.ts';

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

  it('refuses a statement with nothing to parameterise rather than sending it unparameterised', () => {
    expect(() => statementFor('SELECT 1', 'extended')).toThrow(/parameterise/);
  });
});
