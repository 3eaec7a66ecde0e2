// The bench's arithmetic: every figure is a spread over repeated runs (one run proves
// nothing on a shared 2-core machine), and every timing is also read as a ratio against a
// baseline measured in the same run, so numbers from two machines can be compared.

/** min / median / max of repeated measurements of one figure. */
export interface Spread {
  n: number;
  min: number;
  median: number;
  max: number;
}

/** The spread of the samples; undefined when there are none (never a made-up zero). */
export function spread(samples: readonly number[]): Spread | undefined {
  const xs = samples.filter((x) => Number.isFinite(x)).toSorted((a, b) => a - b);
  if (xs.length === 0) return undefined;
  const mid = xs.length >> 1;
  const median = xs.length % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
  return { n: xs.length, min: xs[0]!, median, max: xs[xs.length - 1]! };
}

/**
 * Each sample over the baseline's median: for a figure and a baseline measured
 * independently (a build against a bare container start).
 */
export function ratioToMedian(samples: readonly number[], baseline: readonly number[]): Spread | undefined {
  const b = spread(baseline);
  if (!b || b.median === 0) return undefined;
  return spread(samples.map((x) => x / b.median));
}

/**
 * Sample i over baseline sample i: for pairs measured back to back in one repetition
 * (pgbench through a proxy, then straight to the primary), so drift cancels.
 */
export function pairedRatio(samples: readonly number[], baseline: readonly number[]): Spread | undefined {
  if (samples.length !== baseline.length) throw new Error(`paired ratio needs as many samples as baseline samples (${samples.length} vs ${baseline.length})`);
  return spread(samples.flatMap((x, i) => (baseline[i] ? [x / baseline[i]] : [])));
}
