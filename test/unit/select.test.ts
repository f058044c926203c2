import { describe, expect, it } from 'vitest';

import { PeakPruneError } from '../../src/core/errors';
import { clusterQuotas, removalCount, selectByNorm, selectDpcApoz } from '../../src/core/select';

function expectCode(action: () => unknown, code: string): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(PeakPruneError);
    expect((error as PeakPruneError).code).toBe(code);
    return;
  }
  expect.fail(`expected a PeakPruneError with code ${code}`);
}

describe('removalCount', () => {
  it('rounds ratio times n half up', () => {
    expect(removalCount(10, 0.5, 1)).toBe(5);
    expect(removalCount(10, 0.25, 1)).toBe(3); // 2.5 → 3
    expect(removalCount(10, 0.24, 1)).toBe(2); // 2.4 → 2
    expect(removalCount(50, 0.29, 1)).toBe(15); // 0.29 · 50 = 14.499999999999998 in binary, meant as 14.5
    expect(removalCount(10, 0, 1)).toBe(0);
  });

  it('keeps at least minChannels and at least one', () => {
    expect(removalCount(10, 0.95, 1)).toBe(9); // 9.5 → 10, capped at 10 − 1
    expect(removalCount(10, 0.9, 4)).toBe(6); // 9, capped at 10 − 4
    expect(removalCount(4, 0.99, 0)).toBe(3); // 3.96 → 4, capped at 4 − max(0, 1)
    expect(removalCount(3, 0.5, 8)).toBe(0); // never negative
    expect(removalCount(0, 0.5, 1)).toBe(0);
  });

  it('rejects ratios outside [0, 1)', () => {
    expectCode(() => removalCount(10, 1, 1), 'invalid-options');
    expectCode(() => removalCount(10, -0.1, 1), 'invalid-options');
    expectCode(() => removalCount(10, Number.NaN, 1), 'invalid-options');
    expectCode(() => removalCount(10, 0.5, -1), 'invalid-options');
  });
});

describe('clusterQuotas', () => {
  it('apportions by largest remainder', () => {
    // Shares 3·[4, 4, 2]/10 = 1.2, 1.2, 0.6: floors 1, 1, 0 and the one left goes to remainder 0.6.
    expect(clusterQuotas([4, 4, 2], 3)).toEqual([1, 1, 1]);
    // Shares 5·[2, 2, 6]/10 = 1, 1, 3 exactly, each within its cap n_k − 1.
    expect(clusterQuotas([2, 2, 6], 5)).toEqual([1, 1, 3]);
  });

  it('breaks equal remainders by lower index', () => {
    // Shares 2/3 each: floors 0, and the two left go to clusters 0 and 1.
    expect(clusterQuotas([3, 3, 3], 2)).toEqual([1, 1, 0]);
  });

  it('redistributes when caps bind', () => {
    // Shares 6·[2, 3, 5]/10 = 1.2, 1.8, 3. Cluster 0 exceeds its cap 1 and is fixed there.
    // The other 5 over sizes [3, 5]: 1.875 and 3.125 → floors 1, 3, and the one left goes to 0.875.
    expect(clusterQuotas([2, 3, 5], 6)).toEqual([1, 2, 3]);
    // Shares 7·[1, 1, 1, 1, 2, 8]/14: singletons (cap 0) are fixed at 0. The 7 over [2, 8] give
    // 1.4 and 5.6, so cluster 4 is fixed at its cap 1, and cluster 5 takes the other 6.
    expect(clusterQuotas([1, 1, 1, 1, 2, 8], 7)).toEqual([0, 0, 0, 0, 1, 6]);
  });

  it('never empties a singleton cluster', () => {
    // Shares 3·[1, 5]/6 = 0.5 and 2.5: the singleton is fixed at 0 and cluster 1 takes all 3.
    expect(clusterQuotas([1, 5], 3)).toEqual([0, 3]);
    expect(clusterQuotas([1], 0)).toEqual([0]);
  });

  it('takes as many as possible beyond capacity', () => {
    // Σ (n_k − 1) = 2 + 0 = 2 < 5.
    expect(clusterQuotas([3, 1], 5)).toEqual([2, 0]);
    expect(clusterQuotas([3, 3, 1, 1, 1, 1], 6)).toEqual([2, 2, 0, 0, 0, 0]);
  });

  it('handles empty input and empty clusters', () => {
    expect(clusterQuotas([], 0)).toEqual([]);
    expect(clusterQuotas([], 3)).toEqual([]);
    expect(clusterQuotas([0, 4], 2)).toEqual([0, 2]);
    expect(clusterQuotas([0, 0], 1)).toEqual([0, 0]);
    expect(clusterQuotas([5, 5], 0)).toEqual([0, 0]);
  });

  it('holds its invariants on random cases', () => {
    let state = 12345;
    const next = (limit: number): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state % limit;
    };
    for (let trial = 0; trial < 500; trial++) {
      const sizes = Array.from({ length: 1 + next(8) }, () => 1 + next(20));
      const n = sizes.reduce((s, v) => s + v, 0);
      const capacity = sizes.reduce((s, v) => s + v - 1, 0);
      const total = next(n);
      const quotas = clusterQuotas(sizes, total);
      const context = `sizes ${sizes.join(',')} total ${total}`;

      expect(quotas.reduce((s, v) => s + v, 0), context).toBe(Math.min(total, capacity));
      quotas.forEach((q, k) => {
        expect(Number.isInteger(q), context).toBe(true);
        expect(q, context).toBeGreaterThanOrEqual(0);
        expect(q, context).toBeLessThanOrEqual(sizes[k] - 1);
        // An uncapped cluster never falls more than one below its proportional share.
        if (q < sizes[k] - 1) expect(q, context).toBeGreaterThan((total * sizes[k]) / n - 1);
      });
    }
  });
});

describe('selectDpcApoz', () => {
  // Clusters: 0 = {0, 1, 2}, 1 = {3, 4, 5, 6}, 2 = {7}.
  const labels = Int32Array.from([0, 0, 0, 1, 1, 1, 1, 2]);
  const apoz = Float64Array.from([0.9, 0.1, 0.5, 0.8, 0.2, 0.8, 0.3, 1.0]);

  it('removes the highest APoZ per cluster', () => {
    // Quotas for 3 of sizes [3, 4, 1]: the singleton is fixed at 0; 3 over [3, 4] gives 9/7 and
    // 12/7 → [1, 2, 0]. Cluster 0 loses filter 0 (0.9), cluster 1 loses 3 and 5 (0.8 each).
    expect(selectDpcApoz(labels, 3, apoz, 3)).toEqual([0, 3, 5]);
  });

  it('breaks equal scores by lower index', () => {
    // Quotas for 2: 2 over [3, 4] gives 6/7 and 8/7 → floors 0, 1, the one left to cluster 0.
    // Cluster 1 has a tie at 0.8 between filters 3 and 5: the lower index 3 goes.
    expect(selectDpcApoz(labels, 3, apoz, 2)).toEqual([0, 3]);
  });

  it('ranks negated mean activation', () => {
    // Without exact zeros the score is −meanAbs, so the weakest mean activation goes first.
    const meanAbs = [5, 1, 3, 0.5];
    const score = Float64Array.from(meanAbs, (m) => -m);
    expect(selectDpcApoz(Int32Array.from([0, 0, 0, 1]), 2, score, 1)).toEqual([1]);
  });

  it('keeps a member in every cluster', () => {
    const removed = selectDpcApoz(Int32Array.from([0, 1, 1]), 2, Float64Array.from([1, 0.5, 0.2]), 2);
    expect(removed).toEqual([1]);
    expect(selectDpcApoz(labels, 3, apoz, 0)).toEqual([]);
  });

  it('rejects bad labels and scores', () => {
    expectCode(() => selectDpcApoz(Int32Array.from([0, 3]), 2, Float64Array.from([0, 0]), 1), 'internal');
    expectCode(() => selectDpcApoz(Int32Array.from([0, 0]), 1, Float64Array.from([0, Number.NaN]), 1), 'invalid-model');
    expectCode(() => selectDpcApoz(Int32Array.from([0, 0]), 1, Float64Array.from([0]), 1), 'internal');
  });
});

describe('selectByNorm', () => {
  const norms = Float64Array.from([3, 1, 2, 1, 5]);

  it('removes the smallest norms', () => {
    expect(selectByNorm(norms, 2)).toEqual([1, 3]);
    expect(selectByNorm(norms, 3)).toEqual([1, 2, 3]);
    expect(selectByNorm(norms, 0)).toEqual([]);
    expect(selectByNorm(norms, 5)).toEqual([0, 1, 2, 3, 4]);
  });

  it('breaks equal norms by lower index', () => {
    expect(selectByNorm(norms, 1)).toEqual([1]);
  });

  it('rejects a count above n', () => {
    expectCode(() => selectByNorm(norms, 6), 'internal');
  });
});
