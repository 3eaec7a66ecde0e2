import { describe, expect, it } from 'vitest';
import { pairedRatio, ratioToMedian, spread } from './stats.ts';

describe('bench statistics', () => {
  it('spreads odd and even sample counts, ignoring non-finite samples', () => {
    expect(spread([3, 1, 2])).toEqual({ n: 3, min: 1, median: 2, max: 3 });
    expect(spread([4, 1, 3, 2])).toEqual({ n: 4, min: 1, median: 2.5, max: 4 });
    expect(spread([5, Number.NaN, Infinity])).toEqual({ n: 1, min: 5, median: 5, max: 5 });
  });

  it('has no spread without samples, never a zero', () => {
    expect(spread([])).toBeUndefined();
    expect(spread([Number.NaN])).toBeUndefined();
  });

  it('divides each sample by the baseline median', () => {
    expect(ratioToMedian([10, 20, 30], [1, 2, 100])).toEqual({ n: 3, min: 5, median: 10, max: 15 });
    expect(ratioToMedian([1], [])).toBeUndefined();
    expect(ratioToMedian([1], [0])).toBeUndefined();
  });

  it('pairs samples with the baseline of the same repetition', () => {
    expect(pairedRatio([50, 90], [100, 100])).toEqual({ n: 2, min: 0.5, median: 0.7, max: 0.9 });
    // A baseline of 0 (pgbench died) drops the pair rather than dividing by zero.
    expect(pairedRatio([50, 90], [0, 100])).toEqual({ n: 1, min: 0.9, median: 0.9, max: 0.9 });
    expect(() => pairedRatio([1, 2], [1])).toThrow(/as many samples/);
  });
});
