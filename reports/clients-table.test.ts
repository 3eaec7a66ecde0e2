import { describe, expect, it } from 'vitest';
import type { ClientRow } from '../model/clients.ts';
import { clientsHtml, clientsMarkdown } from './clients-table.ts';

const row = (over: Partial<ClientRow>): ClientRow => ({
  driver: 'psycopg2',
  title: 'Python psycopg2 + ThreadedConnectionPool',
  version: 'psycopg2 2.9.10 (libpq 170006)',
  settings: 'host=a,b',
  fault: 'primary kill',
  budgetSecs: 30,
  outageSecs: 7.25,
  failedWrites: 3,
  errors: { 'OperationalError 57P01': 1, OperationalError: 2 },
  recovery: 'by itself',
  lostWrites: 0,
  ackedWrites: 120,
  mustDo: 'retry',
  passed: true,
  ...over,
});

describe('the clients table', () => {
  it('shows the outage, the errors most frequent first, and the lost writes of the acknowledged', () => {
    const md = clientsMarkdown([row({})]);
    expect(md).toContain('| 7.3 s |');
    expect(md).toContain('OperationalError ×2; OperationalError 57P01 ×1');
    expect(md).toContain('0 of 120');
  });
  it('says not back and FAIL with the reason, never a blank', () => {
    const md = clientsMarkdown([row({ outageSecs: null, passed: false, why: 'not writing again within 45 s', recovery: 'not back' })]);
    expect(md).toContain('not back');
    expect(md).toContain('FAIL: not writing again within 45 s');
  });
  it('escapes what the drivers said in the HTML page', () => {
    expect(clientsHtml('r1', 'pgpool', [row({ errors: { '<script>': 1 } })])).not.toContain('<script>');
  });
});
