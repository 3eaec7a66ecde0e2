// pgbench's summary, as numbers: transactions per second and average latency.

export interface PgbenchResult {
  tps: number;
  latencyMs: number;
  transactions: number;
  failed: number;
}

const num = (out: string, re: RegExp): number | undefined => {
  const m = re.exec(out);
  return m ? Number(m[1]) : undefined;
};

/** Throws with the output's tail when pgbench didn't print a summary. */
export function parsePgbench(out: string): PgbenchResult {
  // "tps = 1234.5 (without initial connection time)"; older releases print two tps lines.
  const tps = num(out, /^tps = ([\d.]+) \(without initial connection time\)/m) ?? num(out, /^tps = ([\d.]+)/m);
  const latencyMs = num(out, /^latency average = ([\d.]+) ms/m);
  const transactions = num(out, /^number of transactions actually processed: (\d+)/m);
  if (tps === undefined || latencyMs === undefined || transactions === undefined) {
    throw new Error(`no pgbench summary in its output: ${out.trim().split('\n').slice(-5).join(' | ')}`);
  }
  return { tps, latencyMs, transactions, failed: num(out, /^number of failed transactions: (\d+)/m) ?? 0 };
}
