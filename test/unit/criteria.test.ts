import { describe, expect, it } from 'vitest';

import { methodDefinition, PRUNE_METHODS, selectFilters } from '../../src/core/criteria';
import { densityPeakCriterion, densityPeakRemovalOrder, densityPeakStep } from '../../src/core/criteria/density-peak';
import { fpgmCriterion, geometricMedian } from '../../src/core/criteria/fpgm';
import { filterL2Norms, filterRows, l1Criterion, l2Criterion } from '../../src/core/criteria/norms';
import { randomCriterion } from '../../src/core/criteria/random';
import { densityPeakClustering } from '../../src/core/dpc';
import { PeakPruneError } from '../../src/core/errors';
import { planPruning } from '../../src/core/plan';
import type { ApozResult, DpcResult, LayerAnalysis, PruneMethod } from '../../src/core/types';

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

/** Builds a DpcResult with only the given clusters, which is all that the selection policies read. */
function clustersOnly(labels: number[]): DpcResult {
  const n = labels.length;
  const clusterCount = Math.max(...labels) + 1;
  return {
    n,
    dc: 1,
    rho: new Float64Array(n),
    delta: new Float64Array(n),
    gamma: new Float64Array(n),
    nearestDenser: new Int32Array(n).fill(-1),
    order: Int32Array.from(labels.keys()),
    centers: Array.from({ length: clusterCount }, (_, k) => labels.indexOf(k)),
    labels: Int32Array.from(labels),
    halo: new Uint8Array(n),
    zeroFilters: [],
    duplicateGroups: [],
  };
}

interface LayerParts {
  name?: string;
  /** One weight vector per filter; they become a 1 × 1 kernel with one input channel per component. */
  filters: number[][];
  l1?: number[];
  apoz?: Partial<ApozResult>;
  dpc?: DpcResult;
}

/** Builds a LayerAnalysis by hand: filter f's vector is stored at kernel[k · n + f], as tfjs does. */
function handLayer(parts: LayerParts): LayerAnalysis {
  const n = parts.filters.length;
  const dim = parts.filters[0].length;
  const kernel = new Float32Array(dim * n);
  parts.filters.forEach((filter, f) => filter.forEach((value, k) => (kernel[k * n + f] = value)));
  return {
    name: parts.name ?? 'conv',
    filters: n,
    kernelShape: [1, 1, dim, n],
    kernel,
    dpc: parts.dpc ?? clustersOnly(new Array<number>(n).fill(0)),
    apoz: {
      layer: parts.name ?? 'conv',
      measuredAt: 'relu',
      activation: 'relu',
      applies: true,
      apoz: new Float64Array(n),
      meanAbs: new Float64Array(n),
      count: 1,
      ...parts.apoz,
    },
    l1: Float64Array.from(parts.l1 ?? new Array<number>(n).fill(1)),
  };
}

/** Plans one layer with the given method and removal count (ratio = count / n, at least one filter kept). */
function removedBy(method: PruneMethod, layer: LayerAnalysis, count: number, seed = 0, distances?: Float64Array): number[] {
  return selectFilters(method, { layer, distances, seed }, count);
}

function expectCode(action: () => unknown, code: string, messagePart?: string): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(PeakPruneError);
    expect((error as PeakPruneError).code).toBe(code);
    if (messagePart !== undefined) expect((error as PeakPruneError).message).toContain(messagePart);
    return;
  }
  expect.fail(`expected a PeakPruneError with code ${code}`);
}

// Four 2-D filters: a = (3, 4), b = (6, 0), c = (0, −1), d = (2, −2).
// L1: 7, 6, 1, 4, so the order of removal is c, d, b, a.
// L2: 5, 6, 1, 2√2 ≈ 2.83, so the order of removal is c, d, a, b.
const NORM_FILTERS = [
  [3, 4],
  [6, 0],
  [0, -1],
  [2, -2],
];

describe('filterRows', () => {
  it('reads filters out of the tfjs kernel order', () => {
    // kh = 1, kw = 2, cin = 1, cout = 2, so the kernel contains (k0 of f0, k0 of f1, k1 of f0, k1 of f1).
    const layer = handLayer({ filters: [[0, 0], [0, 0]] });
    layer.kernelShape = [1, 2, 1, 2];
    layer.kernel = Float32Array.from([1, 2, 3, 4]);
    expect(Array.from(filterRows(layer))).toEqual([1, 3, 2, 4]);
  });

  it('rejects a kernel of the wrong length', () => {
    const layer = handLayer({ filters: NORM_FILTERS });
    layer.kernel = new Float32Array(3);
    expectCode(() => filterRows(layer), 'internal');
  });
});

describe('norm criteria', () => {
  const layer = handLayer({ filters: NORM_FILTERS, l1: [7, 6, 1, 4] });

  it('computes L2 norms', () => {
    const norms = filterL2Norms(layer);
    expect(norms[0]).toBeCloseTo(5, 12);
    expect(norms[1]).toBeCloseTo(6, 12);
    expect(norms[2]).toBeCloseTo(1, 12);
    expect(norms[3]).toBeCloseTo(2 * Math.SQRT2, 6);
  });

  it('scores by negated norms', () => {
    expect(Array.from(l1Criterion({ layer, seed: 0 }))).toEqual([-7, -6, -1, -4]);
    expect(l2Criterion({ layer, seed: 0 })[0]).toBeCloseTo(-5, 12);
  });

  it('removes the smallest norms first', () => {
    expect(removedBy('l1', layer, 2)).toEqual([2, 3]);
    expect(removedBy('l1', layer, 3)).toEqual([1, 2, 3]);
    expect(removedBy('l2', layer, 3)).toEqual([0, 2, 3]);
    expect(removedBy('l2', layer, 0)).toEqual([]);
  });
});

describe('geometricMedian', () => {
  function median(points: number[][]): number[] {
    return Array.from(geometricMedian(Float64Array.from(points.flat()), points.length, points[0].length));
  }

  it('returns the center of a symmetric set', () => {
    // Four corners of a square around (2, 3) and the center itself: the unit vectors cancel there.
    const result = median([[1, 2], [3, 2], [3, 4], [1, 4], [2, 3]]);
    expect(result[0]).toBeCloseTo(2, 9);
    expect(result[1]).toBeCloseTo(3, 9);
  });

  it('finds the crossing of a convex quadrilateral diagonals', () => {
    // The diagonals (0,0)–(4,1) and (4,0)–(0,3) cross at t·(4, 1) = (4, 0) + s·(−4, 3):
    // t = 3s and 4t = 4 − 4s give s = 1/4, t = 3/4, so (3, 0.75). The mean is (2, 1).
    const result = median([[0, 0], [4, 0], [4, 1], [0, 3]]);
    expect(result[0]).toBeCloseTo(3, 8);
    expect(result[1]).toBeCloseTo(0.75, 8);
  });

  it('returns the middle of collinear points', () => {
    // On a line the geometric median is the ordinary median: x = 1, while the mean is 11/3.
    const result = median([[0, 0], [1, 0], [10, 0]]);
    expect(result[0]).toBeCloseTo(1, 8);
    expect(result[1]).toBeCloseTo(0, 12);
  });

  it('leaves a data point that is not the median', () => {
    // x = −6, 0, 2, 2, 2: the mean 0 is a data point, but Σ|x − m| is 12 at 0 and 10 at 2,
    // the median. Plain Weiszfeld would divide by zero at the start.
    const result = median([[-6, 0], [0, 0], [2, 0], [2, 0], [2, 0]]);
    expect(result[0]).toBeCloseTo(2, 8);
  });

  it('returns the point when all points coincide', () => {
    expect(median([[1, -1], [1, -1]])).toEqual([1, -1]);
  });
});

describe('fpgm criterion', () => {
  // The quadrilateral above: median (3, 0.75). Distances to it: (0,0) √9.5625 ≈ 3.092,
  // (4,0) 1.25, (4,1) √1.0625 ≈ 1.031, (0,3) 3.75. The mean (2, 1) would tie (0,0) and (4,0) at √5.
  const layer = handLayer({ filters: [[0, 0], [4, 0], [4, 1], [0, 3]] });

  it('scores by negated distance to the median', () => {
    const scores = fpgmCriterion({ layer, seed: 0 });
    expect(scores[0]).toBeCloseTo(-Math.sqrt(9.5625), 6);
    expect(scores[1]).toBeCloseTo(-1.25, 6);
    expect(scores[2]).toBeCloseTo(-Math.sqrt(1.0625), 6);
    expect(scores[3]).toBeCloseTo(-3.75, 6);
  });

  it('removes the filters nearest the median', () => {
    expect(removedBy('fpgm', layer, 1)).toEqual([2]);
    expect(removedBy('fpgm', layer, 2)).toEqual([1, 2]);
    expect(removedBy('fpgm', layer, 3)).toEqual([0, 1, 2]);
  });
});

describe('activation criteria', () => {
  // Clusters {0, 1, 2} and {3, 4}. Two removals split 1 + 1 by largest remainder (shares 1.2, 0.8).
  const dpc = clustersOnly([0, 0, 0, 1, 1]);
  const filters = [[1], [2], [3], [4], [5]];

  it('ranks by APoZ over the whole layer', () => {
    const layer = handLayer({ filters, dpc, apoz: { apoz: Float64Array.from([0.1, 0.9, 0.8, 0.7, 0.2]) } });
    expect(removedBy('apoz', layer, 2)).toEqual([1, 2]);
    // Per cluster, the highest APoZ of each: filter 1 in the first, filter 3 in the second.
    expect(removedBy('dpc-apoz', layer, 2)).toEqual([1, 3]);
  });

  it('uses the mean absolute activation where APoZ does not apply', () => {
    const layer = handLayer({
      filters,
      dpc,
      apoz: { applies: false, apoz: new Float64Array(5), meanAbs: Float64Array.from([0.3, 0.2, 0.05, 0.1, 0.4]) },
    });
    expect(removedBy('apoz', layer, 2)).toEqual([2, 3]);
  });

  it('ranks by L1 inside each cluster for dpc-l1', () => {
    const layer = handLayer({ filters, dpc, l1: [5, 1, 2, 3, 9] });
    expect(removedBy('l1', layer, 2)).toEqual([1, 2]);
    expect(removedBy('dpc-l1', layer, 2)).toEqual([1, 3]);
    // Four removals would empty a cluster, so each keeps one member: 2 + 1.
    expect(removedBy('dpc-l1', layer, 4)).toEqual([1, 2, 3]);
  });
});

describe('random criterion', () => {
  const filters = Array.from({ length: 16 }, (_, i) => [i]);
  const layer = handLayer({ name: 'a', filters });

  it('repeats for one seed', () => {
    expect(removedBy('random', layer, 8, 3)).toEqual(removedBy('random', layer, 8, 3));
    expect(Array.from(randomCriterion({ layer, seed: 3 }))).toEqual(Array.from(randomCriterion({ layer, seed: 3 })));
  });

  it('differs across seeds and layers', () => {
    const picks = [0, 1, 2].map((seed) => removedBy('random', layer, 8, seed).join());
    expect(new Set(picks).size).toBe(3);
    const other = handLayer({ name: 'b', filters });
    expect(removedBy('random', other, 8, 0)).not.toEqual(removedBy('random', layer, 8, 0));
  });

  it('nests the removals of growing ratios', () => {
    const few = removedBy('random', layer, 4, 5);
    const many = removedBy('random', layer, 10, 5);
    expect(few).toHaveLength(4);
    expect(many).toHaveLength(10);
    for (const filter of few) expect(many).toContain(filter);
  });

  it('rejects a seed that is not a 32-bit unsigned integer', () => {
    expectCode(() => randomCriterion({ layer, seed: -1 }), 'invalid-options');
    expectCode(() => randomCriterion({ layer, seed: 1.5 }), 'invalid-options');
  });
});

// Six 1-D filters at x = 0, 1, 2.5, 20, 21.2, 60. DPC at percentile 0 gives d_c = 1, the
// smallest distance, and Gaussian densities ρ = Σ exp(−d²):
//   ρ(0) = e^−1 + e^−6.25 ≈ 0.3698, ρ(1) = e^−1 + e^−2.25 ≈ 0.4733, ρ(2.5) ≈ 0.1073,
//   ρ(20) = ρ(21.2) = e^−1.44 ≈ 0.2369, ρ(60) ≈ 0 (the other terms are below 1e−130).
// Step 1: the peak is x = 1 and its nearest neighbour x = 0 (index 0) goes.
// Step 2: x = 1 and x = 2.5 drop to e^−2.25 ≈ 0.1054, so the peak moves to x = 20 (equal ρ with
// x = 21.2, lower index wins) and x = 21.2 (index 4) goes. Without recomputing, x = 2.5 would go.
// Step 3: x = 1 and x = 2.5 tie at e^−2.25, so x = 1 is the peak and x = 2.5 (index 2) goes.
const PEAK_POINTS = [[0], [1], [2.5], [20], [21.2], [60]];
const PEAK_DISTANCES = distanceMatrix(PEAK_POINTS);
const PEAK_DPC = densityPeakClustering(PEAK_DISTANCES, 6, { percentile: 0, kernel: 'gaussian', metric: 'euclidean', halo: false });

describe('densityPeakRemovalOrder', () => {
  const gaussian = (d: number) => Math.exp(-(d ** 2));

  it('removes the peak neighbours, recomputing density', () => {
    expect(PEAK_DPC.dc).toBe(1);
    const order = densityPeakRemovalOrder(PEAK_DISTANCES, 6, PEAK_DPC.rho, gaussian, 1);
    expect(order).toHaveLength(5);
    expect(order.slice(0, 3)).toEqual([0, 4, 2]);
  });

  it('removes several per step', () => {
    // Step 1 removes the two nearest to x = 1 (x = 0, then x = 2.5). Then x = 20 is the peak,
    // and its two nearest, x = 21.2 and x = 1, go. Of x = 20 and x = 60, both at ρ = 0 in
    // float64 (e^−1600 underflows), x = 20 is the peak, so x = 60 goes last.
    expect(densityPeakRemovalOrder(PEAK_DISTANCES, 6, PEAK_DPC.rho, gaussian, 2)).toEqual([0, 2, 4, 1, 5]);
  });

  it('sizes the step at 5 % of the filters', () => {
    expect(densityPeakStep(6)).toBe(1);
    expect(densityPeakStep(64)).toBe(3);
    expect(densityPeakStep(512)).toBe(26);
  });
});

describe('density-peak criterion', () => {
  const layer = handLayer({ filters: PEAK_POINTS, dpc: PEAK_DPC });

  it('scores by removal order', () => {
    const scores = densityPeakCriterion({ layer, distances: PEAK_DISTANCES, seed: 0 });
    expect(scores[0]).toBe(6);
    expect(scores[4]).toBe(5);
    expect(scores[2]).toBe(4);
    expect(removedBy('density-peak', layer, 2, 0, PEAK_DISTANCES)).toEqual([0, 4]);
  });

  it('works with the cutoff kernel', () => {
    // Percentile 5 of the 15 sorted distances (1, 1.2, 1.5, ...): h = 0.05 · 14 = 0.7, so
    // d_c = 1 + 0.7 · 0.2 = 1.14. The cutoff kernel counts only the pair at distance 1:
    // ρ(0) = ρ(1) = 1 and every other ρ is 0.
    const dpc = densityPeakClustering(PEAK_DISTANCES, 6, { percentile: 5, kernel: 'cutoff', metric: 'euclidean', halo: false });
    expect(dpc.dc).toBeCloseTo(1.14, 12);
    const cutoffLayer = handLayer({ filters: PEAK_POINTS, dpc });
    // The peak is x = 0 (equal ρ, lower index) and its nearest neighbour x = 1 goes first.
    expect(removedBy('density-peak', cutoffLayer, 1, 0, PEAK_DISTANCES)).toEqual([1]);
  });

  it('rejects missing or mismatched distances', () => {
    expectCode(() => removedBy('density-peak', layer, 2), 'invalid-options', 'distances of layer "conv"');
    expectCode(() => planPruning([layer], { method: 'density-peak', ratio: 0.3, minChannels: 1 }), 'invalid-options');
    const scaled = PEAK_DISTANCES.map((d) => 2 * d);
    expectCode(() => removedBy('density-peak', layer, 2, 0, scaled), 'invalid-options', 'do not reproduce');
    expectCode(() => removedBy('density-peak', layer, 2, 0, new Float64Array(4)), 'internal');
  });

  it('takes distances from planPruning geometry', () => {
    const geometry = [{ name: 'conv', distances: PEAK_DISTANCES, l2: new Float64Array(6) }];
    const plan = planPruning([layer], { method: 'density-peak', ratio: 0.34, minChannels: 1 }, {}, geometry);
    expect(plan.layers[0].removed).toEqual([0, 4]);
    const fromMap = planPruning([layer], { method: 'density-peak', ratio: 0.34, minChannels: 1 }, {}, new Map([['conv', geometry[0]]]));
    expect(fromMap.layers[0].removed).toEqual([0, 4]);
  });
});

describe('methodDefinition', () => {
  it('defines every listed method', () => {
    expect(PRUNE_METHODS).toHaveLength(8);
    for (const method of PRUNE_METHODS) expect(methodDefinition(method).summary.length).toBeGreaterThan(0);
    expect(PRUNE_METHODS.filter((method) => methodDefinition(method).needsDistances)).toEqual(['density-peak']);
  });

  it('rejects an unknown method', () => {
    expectCode(() => methodDefinition('l3' as PruneMethod), 'invalid-options', 'Unknown pruning method "l3"');
  });
});
