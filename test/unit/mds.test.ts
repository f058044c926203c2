import { describe, expect, it } from 'vitest';

import { classicalMds, jacobiEigen, kruskalStress } from '../../src/core/mds';
import { clusterPlane, DEFAULT_PLAYGROUND_SETTINGS, planeDistances, threeBlobs, type PlanePoint } from '../../src/core/playground';

/** Euclidean distances of points of any dimension, by a plain double loop. */
function distanceMatrix(points: readonly number[][]): Float64Array {
  const n = points.length;
  const dist = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      dist[i * n + j] = Math.sqrt(points[i].reduce((sum, v, k) => sum + (v - points[j][k]) ** 2, 0));
    }
  }
  return dist;
}

/** Largest |d_ij − d̂_ij| between the given distances and those of the embedding. */
function largestDistanceError(dist: Float64Array, n: number, x: Float64Array, y: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(dist[i * n + j] - Math.hypot(x[i] - x[j], y[i] - y[j])));
  }
  return worst;
}

/** A fixed, irregular planar point set, written out so the test does not depend on a generator. */
const PLANAR: number[][] = [
  [0, 0],
  [3, 1],
  [-2, 4],
  [5, -3],
  [1, 7],
  [-4, -2],
  [2.5, 2.5],
  [6, 6],
  [-1, -5],
  [0.5, 3],
];

describe('classicalMds', () => {
  it('recovers planar points up to rotation', () => {
    const n = PLANAR.length;
    const dist = distanceMatrix(PLANAR);
    const embedding = classicalMds(dist, n);

    expect(largestDistanceError(dist, n, embedding.x, embedding.y)).toBeLessThan(1e-9);
    expect(embedding.stress).toBeLessThan(1e-9);
    expect(embedding.explainedVariance).toBeCloseTo(1, 12);
  });

  it('recovers a rotated plane embedded in 5-D', () => {
    // The plane spanned by two orthonormal 5-D vectors, shifted away from the origin.
    const u = [1, 1, 1, 1, 0].map((v) => v / 2);
    const v = [1, -1, 1, -1, 0].map((x) => x / 2);
    const points = PLANAR.map(([a, b]) => u.map((ui, k) => 10 + a * ui + b * v[k]));
    const n = points.length;
    const dist = distanceMatrix(points);
    const embedding = classicalMds(dist, n);

    expect(largestDistanceError(dist, n, embedding.x, embedding.y)).toBeLessThan(1e-9);
    expect(embedding.stress).toBeLessThan(1e-9);
  });

  it('reports eigenvalues of the centred Gram matrix', () => {
    // Four corners of a 2 × 1 rectangle: centred coordinates (±1, ±0.5), so λ₁ = 4·1² = 4 and λ₂ = 4·0.5² = 1.
    const dist = distanceMatrix([
      [0, 0],
      [2, 0],
      [0, 1],
      [2, 1],
    ]);
    const embedding = classicalMds(dist, 4);

    expect(embedding.eigenvalues[0]).toBeCloseTo(4, 10);
    expect(embedding.eigenvalues[1]).toBeCloseTo(1, 10);
  });

  it('loses variance on a 3-D simplex', () => {
    // The regular tetrahedron has three equal eigenvalues, so two axes keep 2/3 of the spread.
    const dist = distanceMatrix([
      [1, 1, 1],
      [1, -1, -1],
      [-1, 1, -1],
      [-1, -1, 1],
    ]);
    const embedding = classicalMds(dist, 4);

    expect(embedding.explainedVariance).toBeCloseTo(2 / 3, 9);
    expect(embedding.stress).toBeGreaterThan(0.05);
    expect(embedding.stress).toBeCloseTo(kruskalStress(dist, 4, embedding.x, embedding.y), 12);
  });

  it('handles one point and all-zero distances', () => {
    const single = classicalMds(new Float64Array(1), 1);
    expect(Array.from(single.x)).toEqual([0]);
    expect(single.stress).toBe(0);

    const same = classicalMds(new Float64Array(9), 3);
    expect(Array.from(same.x)).toEqual([0, 0, 0]);
    expect(Array.from(same.y)).toEqual([0, 0, 0]);
    expect(same.explainedVariance).toBe(1);
    expect(same.stress).toBe(0);
  });

  it('rejects a malformed matrix', () => {
    expect(() => classicalMds(new Float64Array(5), 2)).toThrow(/expected 2 × 2/);
    expect(() => classicalMds(Float64Array.from([0, Number.NaN, Number.NaN, 0]), 2)).toThrow(/not a finite/);
  });
});

describe('kruskalStress', () => {
  it('matches a hand-worked case', () => {
    // Three points on a line at 0, 1, 2 embedded at 0, 1, 3: residuals 0, 1, 1 over Σd² = 1 + 4 + 1.
    const dist = distanceMatrix([[0], [1], [2]]);
    const stress = kruskalStress(dist, 3, Float64Array.from([0, 1, 3]), new Float64Array(3));
    expect(stress).toBeCloseTo(Math.sqrt(2 / 6), 12);
  });
});

describe('jacobiEigen', () => {
  it('diagonalises a symmetric 3 × 3 matrix', () => {
    // Eigenvalues of [[2,1,0],[1,2,0],[0,0,5]] are 1, 3 and 5.
    const { values } = jacobiEigen(Float64Array.from([2, 1, 0, 1, 2, 0, 0, 0, 5]), 3);
    expect([...values].sort((a, b) => a - b).map((v) => Number(v.toFixed(10)))).toEqual([1, 3, 5]);
  });
});

describe('playground clustering', () => {
  it('finds three clusters in the preset', () => {
    const points = threeBlobs();
    const result = clusterPlane(points, DEFAULT_PLAYGROUND_SETTINGS);
    expect(result?.centers.length).toBe(3);
    const labels = Array.from(result?.labels ?? []);
    for (let blob = 0; blob < 3; blob++) {
      const members = new Set(labels.slice(blob * 20, blob * 20 + 20));
      expect(members.size, `labels of blob ${blob}`).toBe(1);
    }
  });

  it('finds three clusters in a hand-drawn grid', () => {
    // The layout the browser test draws: a 3 × 3 grid of clicks 12 pixels apart around each of three spots.
    const spots: PlanePoint[] = [
      { x: 100, y: 100 },
      { x: 300, y: 110 },
      { x: 200, y: 280 },
    ];
    const points = spots.flatMap((spot) => [-1, 0, 1].flatMap((dx) => [-1, 0, 1].map((dy) => ({ x: spot.x + 12 * dx, y: spot.y + 12 * dy }))));
    const result = clusterPlane(points, DEFAULT_PLAYGROUND_SETTINGS);
    expect(result?.centers.length).toBe(3);
  });

  it('returns nothing for one point', () => {
    expect(clusterPlane([{ x: 0, y: 0 }], DEFAULT_PLAYGROUND_SETTINGS)).toBeUndefined();
  });

  it('computes symmetric plane distances', () => {
    const dist = planeDistances([
      { x: 0, y: 0 },
      { x: 3, y: 4 },
    ]);
    expect(Array.from(dist)).toEqual([0, 5, 5, 0]);
  });
});
