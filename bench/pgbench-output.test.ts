import { describe, expect, it } from 'vitest';
import { parsePgbench } from './pgbench-output.ts';

const OUT = `pgbench (17.6 (Debian 17.6-1))
transaction type: <builtin: select only>
scaling factor: 5
query mode: simple
number of clients: 8
number of threads: 2
maximum number of tries: 1
duration: 10 s
number of transactions actually processed: 52110
number of failed transactions: 0 (0.000%)
latency average = 1.534 ms
initial connection time = 41.220 ms
tps = 5213.447093 (without initial connection time)
`;

describe('pgbench summary', () => {
  it('reads tps, average latency and transaction counts', () => {
    expect(parsePgbench(OUT)).toEqual({ tps: 5213.447093, latencyMs: 1.534, transactions: 52110, failed: 0 });
  });

  it('throws with the tail of the output when there is no summary', () => {
    expect(() => parsePgbench('pgbench: error: connection to server failed\n')).toThrow(/no pgbench summary.*connection to server failed/);
  });
});
