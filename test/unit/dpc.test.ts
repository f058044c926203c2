import { describe, expect, it } from 'vitest';

import {
  assignClusters,
  chooseCentersAutomatically,
  cutoffDistance,
  densityOrder,
  densityPeakClustering,
  findDuplicates,
  haloFlags,
  localDensity,
  normalizeCenters,
  separation,
} from '../../src/core/dpc';
import { PeakPruneError } from '../../src/core/errors';
import type { DpcOptions } from '../../src/core/types';

/** Euclidean distance matrix of the given points, by a plain double loop. */
function distanceMatrix(points: number[][]): Float64Array {
  const n = points.length;
  const dist = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      dist[i * n + j] = Math.sqrt(points[i].reduce((sum, v, k) => sum + (v - points[j][k]) ** 2, 0));
    }
  }
  return dist;
}

/** Seeded normal samples: a 32-bit LCG (Numerical Recipes constants) fed through Box–Muller. */
function normalGenerator(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

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

// Five points on a line at x = 0, 1, 2, 4, 8 (indices 0–4). The ten pairwise distances are
//   d01 = 1, d02 = 2, d03 = 4, d04 = 8, d12 = 1, d13 = 3, d14 = 7, d23 = 2, d24 = 6, d34 = 4,
// sorted: 1 1 2 2 3 4 4 6 7 8 (order statistics v[0]..v[9]).
// Percentile 25: h = 0.25 · 9 = 2.25 → v[2] + 0.25 (v[3] − v[2]) = 2 + 0 = 2, so d_c = 2.
// Percentile 50: h = 4.5 → 3 + 0.5 · (4 − 3) = 3.5.
const LINE = [[0], [1], [2], [4], [8]];
const LINE_DIST = distanceMatrix(LINE);
const N = 5;

describe('cutoffDistance', () => {
  it('interpolates linearly between order statistics', () => {
    expect(cutoffDistance(LINE_DIST, N, 25)).toBe(2);
    expect(cutoffDistance(LINE_DIST, N, 50)).toBe(3.5);
    expect(cutoffDistance(LINE_DIST, N, 0)).toBe(1);
    expect(cutoffDistance(LINE_DIST, N, 100)).toBe(8);
  });

  it('rejects percentiles outside 0 to 100', () => {
    expectCode(() => cutoffDistance(LINE_DIST, N, -1), 'invalid-options');
    expectCode(() => cutoffDistance(LINE_DIST, N, 101), 'invalid-options');
    expectCode(() => cutoffDistance(LINE_DIST, N, Number.NaN), 'invalid-options');
  });

  it('falls back to positive distances when the percentile is 0', () => {
    // Four identical points and one at distance 5: pairs are six 0s and four 5s.
    // Percentile 25 of all ten lands on a 0, so the positive distances (all 5) give d_c = 5.
    const dist = distanceMatrix([[0], [0], [0], [0], [5]]);
    expect(cutoffDistance(dist, 5, 25)).toBe(5);
  });

  it('returns 0 when every distance is 0', () => {
    expect(cutoffDistance(new Float64Array(9), 3, 2)).toBe(0);
    expect(cutoffDistance(new Float64Array(1), 1, 2)).toBe(0);
  });

  it('rejects NaN distances', () => {
    const dist = LINE_DIST.slice();
    dist[3] = Number.NaN;
    expectCode(() => cutoffDistance(dist, N, 2), 'invalid-model');
  });
});

describe('five points by hand', () => {
  it('cutoff kernel gives exact ρ, δ and γ', () => {
    // d_c = 2, count of d_ij < 2: point 0 {1}, point 1 {0, 2}, point 2 {1}, point 3 {}, point 4 {}.
    // ρ = [1, 2, 1, 0, 0]; order 1, 0, 2, 3, 4 (ties to the lower index).
    // δ: point 1 is densest, max d = d14 = 7. Point 0: denser {1} → 1 (to 1).
    // Point 2: denser {1, 0} → min(1, 2) = 1 (to 1). Point 3: {1, 0, 2} → min(3, 4, 2) = 2 (to 2).
    // Point 4: {1, 0, 2, 3} → min(7, 8, 6, 4) = 4 (to 3). γ = ρ·δ = [1, 14, 1, 0, 0].
    const options: DpcOptions = { percentile: 25, kernel: 'cutoff', metric: 'euclidean', halo: false };
    const result = densityPeakClustering(LINE_DIST, N, options);
    expect(result.dc).toBe(2);
    expect(Array.from(result.rho)).toEqual([1, 2, 1, 0, 0]);
    expect(Array.from(result.order)).toEqual([1, 0, 2, 3, 4]);
    expect(Array.from(result.delta)).toEqual([1, 7, 1, 2, 4]);
    expect(Array.from(result.nearestDenser)).toEqual([1, -1, 1, 2, 3]);
    expect(Array.from(result.gamma)).toEqual([1, 14, 1, 0, 0]);
  });

  it('gaussian kernel gives exact ρ, δ and γ', () => {
    // d_c = 2, weight w(d) = exp(−(d/2)²): w(1) = e^−0.25, w(2) = e^−1, w(3) = e^−2.25, w(4) = e^−4,
    // w(6) = e^−9, w(7) = e^−12.25, w(8) = e^−16.
    const w = (d: number): number => Math.exp(-((d / 2) ** 2));
    const rho = [
      w(1) + w(2) + w(4) + w(8), // point 0: d01, d02, d03, d04  ≈ 1.1650
      w(1) + w(1) + w(3) + w(7), // point 1: d01, d12, d13, d14  ≈ 1.6630
      w(2) + w(1) + w(2) + w(6), // point 2: d02, d12, d23, d24  ≈ 1.5147
      w(4) + w(3) + w(2) + w(4), // point 3: d03, d13, d23, d34  ≈ 0.5099
      w(8) + w(7) + w(6) + w(4), // point 4: d04, d14, d24, d34  ≈ 0.0184
    ];
    // Order 1, 2, 0, 3, 4. δ: point 1 max d = 7. Point 2: denser {1} → 1.
    // Point 0: {1, 2} → min(1, 2) = 1 (to 1). Point 3: {1, 2, 0} → min(3, 2, 4) = 2 (to 2).
    // Point 4: {1, 2, 0, 3} → min(7, 6, 8, 4) = 4 (to 3).
    const delta = [1, 7, 1, 2, 4];
    const options: DpcOptions = { percentile: 25, kernel: 'gaussian', metric: 'euclidean', halo: false };
    const result = densityPeakClustering(LINE_DIST, N, options);

    rho.forEach((value, i) => expect(result.rho[i]).toBeCloseTo(value, 12));
    expect(Array.from(result.order)).toEqual([1, 2, 0, 3, 4]);
    expect(Array.from(result.delta)).toEqual(delta);
    expect(Array.from(result.nearestDenser)).toEqual([1, -1, 1, 2, 3]);
    rho.forEach((value, i) => expect(result.gamma[i]).toBeCloseTo(value * delta[i], 12));
  });

  it('cluster count takes the largest γ', () => {
    // With the cutoff kernel above, normalised γ = (ρ/2)·(δ/7) = [1/14, 1, 1/14, 0, 0].
    // Two clusters: the densest point 1, then the tie between 0 and 2 goes to the lower index 0.
    // Assignment in order 1, 0, 2, 3, 4: 0 is a center, 2 → 1, 3 → 2, 4 → 3.
    const options: DpcOptions = { percentile: 25, kernel: 'cutoff', metric: 'euclidean', halo: false, clusterCount: 2 };
    const result = densityPeakClustering(LINE_DIST, N, options);
    expect(result.centers).toEqual([1, 0]);
    expect(Array.from(result.labels)).toEqual([1, 0, 0, 0, 0]);
  });

  it('cluster count above n makes every point a center', () => {
    const options: DpcOptions = { percentile: 25, kernel: 'cutoff', metric: 'euclidean', halo: false, clusterCount: 9 };
    const result = densityPeakClustering(LINE_DIST, N, options);
    expect([...result.centers].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(result.centers[0]).toBe(1);
  });

  it('cluster count below one is rejected', () => {
    const options: DpcOptions = { percentile: 25, kernel: 'cutoff', metric: 'euclidean', halo: false, clusterCount: 0 };
    expectCode(() => densityPeakClustering(LINE_DIST, N, options), 'invalid-options');
  });

  it('hand-picked centers change the labels', () => {
    const rho = localDensity(LINE_DIST, N, 2, 'cutoff');
    const order = densityOrder(rho);
    const { nearestDenser } = separation(LINE_DIST, N, rho, order);
    // nearestDenser = [1, −1, 1, 2, 3]; points take their nearest denser point's label.
    expect(Array.from(assignClusters(order, nearestDenser, [1]))).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(assignClusters(order, nearestDenser, [1, 3]))).toEqual([0, 0, 0, 1, 1]);
    expect(Array.from(assignClusters(order, nearestDenser, [1, 4]))).toEqual([0, 0, 0, 0, 1]);
    expect(Array.from(assignClusters(order, nearestDenser, [1, 4, 3]))).toEqual([0, 0, 0, 2, 1]);
  });

  it('densest point is always the first center', () => {
    const order = densityOrder(localDensity(LINE_DIST, N, 2, 'cutoff'));
    expect(normalizeCenters([3], order)).toEqual([1, 3]);
    expect(normalizeCenters([3, 1, 3], order)).toEqual([1, 3]);
    expect(normalizeCenters([], order)).toEqual([1]);
    expectCode(() => normalizeCenters([5], order), 'invalid-options');
    expectCode(() => normalizeCenters([1.5], order), 'invalid-options');

    const options: DpcOptions = { percentile: 25, kernel: 'cutoff', metric: 'euclidean', halo: false, centers: [3] };
    const result = densityPeakClustering(LINE_DIST, N, options);
    expect(result.centers).toEqual([1, 3]);
    expect(Array.from(result.labels)).toEqual([0, 0, 0, 1, 1]);
  });

  it('halo flags members below the border density', () => {
    // Cutoff kernel, d_c = 3.5 (percentile 50). Count of d_ij < 3.5:
    // point 0 {1, 2} = 2, point 1 {0, 2, 3} = 3, point 2 {0, 1, 3} = 3, point 3 {1, 2} = 2, point 4 {} = 0.
    // Order 1, 2, 0, 3, 4; nearest denser: 2 → 1, 0 → 1, 3 → 2 (d = 2), 4 → 3 (d = 4).
    // Centers [1, 3] → labels [0, 0, 0, 1, 1].
    // Pairs across clusters closer than 3.5: (1, 3) d = 3 and (2, 3) d = 2, both with mean ρ (3 + 2)/2 = 2.5.
    // So ρ_b = 2.5 for both clusters: halo are point 0 (ρ 2), point 3 (ρ 2) and point 4 (ρ 0).
    const options: DpcOptions = { percentile: 50, kernel: 'cutoff', metric: 'euclidean', halo: true, centers: [1, 3] };
    const result = densityPeakClustering(LINE_DIST, N, options);
    expect(result.dc).toBe(3.5);
    expect(Array.from(result.rho)).toEqual([2, 3, 3, 2, 0]);
    expect(Array.from(result.labels)).toEqual([0, 0, 0, 1, 1]);
    expect(Array.from(result.halo)).toEqual([1, 0, 0, 1, 1]);

    const off = densityPeakClustering(LINE_DIST, N, { ...options, halo: false });
    expect(Array.from(off.halo)).toEqual([0, 0, 0, 0, 0]);
  });

  it('halo is empty without pairs closer than d_c across clusters', () => {
    // d_c = 2 and labels [0, 0, 0, 1, 1]: the closest cross-cluster pair is (2, 3) at d = 2, which is not < 2.
    const rho = localDensity(LINE_DIST, N, 2, 'cutoff');
    const halo = haloFlags(LINE_DIST, N, 2, rho, Int32Array.from([0, 0, 0, 1, 1]), 2);
    expect(Array.from(halo)).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('ties and degenerate distances', () => {
  it('density order breaks ties by lower index', () => {
    expect(Array.from(densityOrder(Float64Array.from([1, 2, 2, 1])))).toEqual([1, 2, 0, 3]);
    expect(Array.from(densityOrder(Float64Array.from([0, 0, 0])))).toEqual([0, 1, 2]);
  });

  it('equal densities on a square resolve by index', () => {
    // Unit square (0,0), (1,0), (1,1), (0,1): every point has the same ρ, so the order is 0, 1, 2, 3.
    // δ: point 0 max d = √2. Point 1: {0} → 1. Point 2: {0, 1} → min(√2, 1) = 1 (to 1).
    // Point 3: {0, 1, 2} → min(1, √2, 1) = 1, first reached at the denser point 0.
    const dist = distanceMatrix([[0, 0], [1, 0], [1, 1], [0, 1]]);
    const dc = cutoffDistance(dist, 4, 2);
    const rho = localDensity(dist, 4, dc, 'gaussian');
    const order = densityOrder(rho);
    const { delta, nearestDenser } = separation(dist, 4, rho, order);
    expect(Array.from(order)).toEqual([0, 1, 2, 3]);
    expect(delta[0]).toBeCloseTo(Math.SQRT2, 12);
    expect(Array.from(delta.subarray(1))).toEqual([1, 1, 1]);
    expect(Array.from(nearestDenser)).toEqual([-1, 0, 1, 0]);
  });

  it('zero cutoff counts only coincident neighbours', () => {
    // Points 0, 1, 2 coincide and point 3 is 4 away. Both kernels weight d = 0 as 1, others as 0.
    const dist = distanceMatrix([[0], [0], [0], [4]]);
    expect(Array.from(localDensity(dist, 4, 0, 'gaussian'))).toEqual([2, 2, 2, 0]);
    expect(Array.from(localDensity(dist, 4, 0, 'cutoff'))).toEqual([2, 2, 2, 0]);

    const allZero = new Float64Array(9);
    const result = densityPeakClustering(allZero, 3, { percentile: 2, kernel: 'gaussian', metric: 'euclidean', halo: true });
    expect(result.dc).toBe(0);
    expect(Array.from(result.rho)).toEqual([2, 2, 2]);
    expect(result.gamma.every((g) => Number.isFinite(g))).toBe(true);
    expect(result.centers).toEqual([0]);
    expect(Array.from(result.labels)).toEqual([0, 0, 0]);
  });

  it('separation rejects an order that is not by density', () => {
    const rho = localDensity(LINE_DIST, N, 2, 'cutoff');
    expectCode(() => separation(LINE_DIST, N, rho, Int32Array.from([0, 1, 2, 3, 4])), 'internal');
  });

  it('single point is its own center', () => {
    const result = densityPeakClustering(new Float64Array(1), 1, { percentile: 2, kernel: 'gaussian', metric: 'euclidean', halo: true });
    expect(result.centers).toEqual([0]);
    expect(Array.from(result.labels)).toEqual([0]);
    expect(result.delta[0]).toBe(0);
  });
});

describe('automatic centers', () => {
  it('finds three separated blobs', () => {
    const centres = [[0, 0], [10, 0], [0, 10]];
    for (const seed of [1, 2, 3, 42, 2024]) {
      const normal = normalGenerator(seed);
      // Point i belongs to blob i mod 3, so members are interleaved across indices.
      const points = Array.from({ length: 45 }, (_, i) => centres[i % 3].map((c) => c + 0.6 * normal()));
      const result = densityPeakClustering(distanceMatrix(points), 45, { percentile: 2, kernel: 'gaussian', metric: 'euclidean', halo: true });

      expect(result.centers.length, `seed ${seed}`).toBe(3);
      for (let blob = 0; blob < 3; blob++) {
        const labels = new Set(points.map((_, i) => i).filter((i) => i % 3 === blob).map((i) => result.labels[i]));
        expect(labels.size, `seed ${seed}, blob ${blob}`).toBe(1);
      }
      expect(new Set(result.labels).size, `seed ${seed}`).toBe(3);
      expect(result.centers[0]).toBe(result.order[0]);
    }
  });

  it('gap rule picks points above a drop', () => {
    // Normalised γ = (ρ/5)·(δ/9) = [1, 0.0109, 0.0107, 0.8356, 0.0102, 0.0100]. Sorted: 1, 0.8356,
    // 0.0109, … The ratios in the top ⌈√6⌉ = 3 are 1.20, 76.7 and 1.02, so the two points above
    // the 76.7 drop are the centers.
    const rho = Float64Array.from([5, 4.9, 4.8, 4.7, 4.6, 4.5]);
    const delta = Float64Array.from([9, 0.1, 0.1, 8, 0.1, 0.1]);
    expect(chooseCentersAutomatically(rho, delta)).toEqual([0, 3]);
    expect(chooseCentersAutomatically(rho, delta, { minGapRatio: 100 })).toEqual([0]);
  });

  it('falls back to mean plus two std', () => {
    // δ = 1 everywhere, so normalised γ = ρ: [1, 0.9, 0.8, 0.7, 0.6] then eleven 0.5. No ratio in
    // the top ⌈√16⌉ = 4 reaches 2. Mean 0.59375, std 0.15996: mean + 2 std = 0.9137 keeps only
    // point 0, mean + 1 std = 0.7537 keeps points 0, 1 and 2.
    const rho = Float64Array.from([1, 0.9, 0.8, 0.7, 0.6, ...new Array<number>(11).fill(0.5)]);
    const delta = new Float64Array(16).fill(1);
    expect(chooseCentersAutomatically(rho, delta)).toEqual([0]);
    expect(chooseCentersAutomatically(rho, delta, { sigmas: 1 })).toEqual([0, 1, 2]);
  });

  it('ignores gaps below the top square root of n', () => {
    // γ = [1, 0.9, 0.8, 0.1]: the 8× drop is at k = 3 > ⌈√4⌉ = 2. Mean 0.7, std 0.354: nothing
    // exceeds mean + 2 std, so only the densest point is a center.
    const rho = Float64Array.from([1, 0.9, 0.8, 0.1]);
    expect(chooseCentersAutomatically(rho, new Float64Array(4).fill(1))).toEqual([0]);
  });

  it('always returns the densest point', () => {
    // Normalised γ = [1/3, 1/3, 1/3]: no gap and nothing above the mean, so only the densest (1).
    expect(chooseCentersAutomatically(Float64Array.from([1, 3, 2]), Float64Array.from([6, 2, 3]))).toEqual([1]);
    // All δ = 0 (coincident points): γ is 0 everywhere.
    expect(chooseCentersAutomatically(Float64Array.from([2, 2, 2]), new Float64Array(3))).toEqual([0]);
  });
});

describe('findDuplicates', () => {
  it('groups coincident and zero filters', () => {
    const points = [
      [1, 2, 3], // 0, same as 3
      [0, 0, 0], // 1, zero
      [4, 0, 1], // 2, same as 5 up to 1e-9
      [1, 2, 3], // 3
      [0, 0, 0], // 4, zero
      [4, 0, 1 + 1e-9], // 5
      [4, 0, 1.001], // 6, distinct: 1e-3 is far above the tolerance 1e-6 · max d ≈ 6e-6
    ];
    const zeroNorm = points.map((p) => p.every((v) => v === 0));
    const { zeroFilters, duplicateGroups } = findDuplicates(distanceMatrix(points), 7, zeroNorm);
    expect(zeroFilters).toEqual([1, 4]);
    expect(duplicateGroups).toEqual([[0, 3], [1, 4], [2, 5]]);
  });

  it('reports zero filters from the norms in a full run', () => {
    const points = [[0, 0], [3, 4], [0, 0], [6, 8], [3, 4]];
    const norms = Float64Array.from(points, (p) => Math.hypot(p[0], p[1]));
    const result = densityPeakClustering(distanceMatrix(points), 5, { percentile: 2, kernel: 'gaussian', metric: 'euclidean', halo: false }, norms);
    expect(result.zeroFilters).toEqual([0, 2]);
    expect(result.duplicateGroups).toEqual([[0, 2], [1, 4]]);
  });

  it('returns no groups for distinct filters', () => {
    expect(findDuplicates(LINE_DIST, N, new Uint8Array(N))).toEqual({ zeroFilters: [], duplicateGroups: [] });
  });
});
