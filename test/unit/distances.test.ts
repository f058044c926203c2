import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { filterMatrix, filterNorms, layerDistances, pairwiseDistanceTensor } from '../../src/core/distances';
import { PeakPruneError } from '../../src/core/errors';

/** Seeded uniform numbers in [0, 1) from a 32-bit LCG (Numerical Recipes constants). */
function uniformGenerator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

function randomRows(n: number, dim: number, seed: number, offset = 0, scale = 1): number[][] {
  const uniform = uniformGenerator(seed);
  return Array.from({ length: n }, () => Array.from({ length: dim }, () => offset + scale * (uniform() * 2 - 1)));
}

/** Reference distances in float64 by a plain double loop. */
function referenceDistances(rows: number[][], metric: 'euclidean' | 'cosine'): Float64Array {
  const n = rows.length;
  const out = new Float64Array(n * n);
  const norm = (r: number[]): number => Math.sqrt(r.reduce((s, v) => s + v * v, 0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (metric === 'euclidean') {
        out[i * n + j] = Math.sqrt(rows[i].reduce((s, v, k) => s + (v - rows[j][k]) ** 2, 0));
        continue;
      }
      const [ni, nj] = [norm(rows[i]), norm(rows[j])];
      if (ni === 0 || nj === 0) out[i * n + j] = ni === nj || i === j ? 0 : 1;
      else out[i * n + j] = i === j ? 0 : 1 - rows[i].reduce((s, v, k) => s + v * rows[j][k], 0) / (ni * nj);
    }
  }
  return out;
}

/** Kernel [kh, kw, cin, cout] whose filter f, flattened in (kh, kw, cin) order, is rows[f]. */
function kernelFromRows(rows: number[][], kh: number, kw: number, cin: number): tf.Tensor4D {
  const cout = rows.length;
  const values = new Float32Array(kh * kw * cin * cout);
  rows.forEach((row, f) => row.forEach((v, k) => (values[k * cout + f] = v)));
  return tf.tensor4d(values, [kh, kw, cin, cout]);
}

function expectClose(actual: Float32Array | Float64Array, expected: Float64Array, relative: number): void {
  const scale = expected.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
  for (let k = 0; k < expected.length; k++) {
    const tolerance = relative * Math.abs(expected[k]) + 1e-6 * scale;
    if (!(Math.abs(actual[k] - expected[k]) <= tolerance)) {
      expect.fail(`entry ${k}: got ${actual[k]}, expected ${expected[k]} ± ${tolerance}`);
    }
  }
}

function diagonal(values: ArrayLike<number>, n: number): number[] {
  return Array.from({ length: n }, (_, i) => values[i * n + i]);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('filterMatrix', () => {
  it('puts one filter per row in (kh, kw, cin) order', () => {
    const kernel = tf.tensor4d(Array.from({ length: 2 * 2 * 3 * 4 }, (_, k) => k), [2, 2, 3, 4]);
    const before = tf.memory().numTensors;
    const matrix = filterMatrix(kernel);
    expect(matrix.shape).toEqual([4, 12]);
    const rows = matrix.arraySync();
    const k4 = kernel.arraySync();
    for (let f = 0; f < 4; f++) {
      for (let y = 0; y < 2; y++) {
        for (let x = 0; x < 2; x++) {
          for (let c = 0; c < 3; c++) expect(rows[f][(y * 2 + x) * 3 + c]).toBe(k4[y][x][c][f]);
        }
      }
    }
    matrix.dispose();
    expect(tf.memory().numTensors).toBe(before);
    kernel.dispose();
  });

  it('rejects a kernel that is not rank 4', () => {
    const flat = tf.zeros([3, 3]) as unknown as tf.Tensor4D;
    expect(() => filterMatrix(flat)).toThrow(PeakPruneError);
    flat.dispose();
  });
});

describe('pairwiseDistanceTensor', () => {
  const cases: [string, number[][]][] = [
    ['centred data', randomRows(24, 40, 7)],
    // A large common offset: without centring, float32 cancellation in ‖a‖² + ‖b‖² − 2ab costs about 2 %.
    ['offset data', randomRows(24, 40, 11, 100, 1)],
    ['wide filters', randomRows(16, 576, 3, 0, 0.05)],
  ];

  for (const [name, rows] of cases) {
    it(`euclidean matches float64 on ${name}`, () => {
      const before = tf.memory().numTensors;
      const x = tf.tensor2d(rows);
      const d = pairwiseDistanceTensor(x, 'euclidean');
      const values = d.dataSync() as Float32Array;
      tf.dispose([x, d]);
      expect(tf.memory().numTensors).toBe(before);

      expectClose(values, referenceDistances(rows, 'euclidean'), 1e-3);
      expect(diagonal(values, rows.length).every((v) => v === 0)).toBe(true);
      expect(values.every((v) => v >= 0)).toBe(true);
    });
  }

  it('gives exactly 0 for identical rows', () => {
    const rows = randomRows(6, 30, 5, 3, 2);
    rows[4] = [...rows[1]];
    const x = tf.tensor2d(rows);
    const d = pairwiseDistanceTensor(x, 'euclidean');
    const values = d.dataSync();
    tf.dispose([x, d]);
    expect(values[1 * 6 + 4]).toBe(0);
    expect(values[4 * 6 + 1]).toBe(0);
    expect(values[1 * 6 + 2]).toBeGreaterThan(0);
  });

  it('cosine matches float64 with zero rows', () => {
    const rows = randomRows(12, 20, 9);
    rows[2] = new Array<number>(20).fill(0);
    rows[7] = new Array<number>(20).fill(0);
    rows[5] = rows[0].map((v) => 3 * v); // parallel to row 0: distance 0
    rows[9] = rows[0].map((v) => -v); // opposite to row 0: distance 2
    const before = tf.memory().numTensors;
    const x = tf.tensor2d(rows);
    const d = pairwiseDistanceTensor(x, 'cosine');
    const values = d.dataSync() as Float32Array;
    tf.dispose([x, d]);
    expect(tf.memory().numTensors).toBe(before);

    expectClose(values, referenceDistances(rows, 'cosine'), 1e-3);
    expect(values[2 * 12 + 7]).toBe(0);
    expect(values[2 * 12 + 3]).toBe(1);
    expect(values[0 * 12 + 5]).toBeCloseTo(0, 6);
    expect(values[0 * 12 + 9]).toBeCloseTo(2, 6);
    expect(diagonal(values, 12).every((v) => v === 0)).toBe(true);
    expect(values.every((v) => v >= 0 && v <= 2)).toBe(true);
  });

  it('cosine survives tiny and huge weights', () => {
    const base = randomRows(4, 10, 13);
    const rows = [base[0].map((v) => v * 1e-30), base[1].map((v) => v * 1e25), base[2], base[3]];
    const x = tf.tensor2d(rows);
    const d = pairwiseDistanceTensor(x, 'cosine');
    const values = d.dataSync() as Float32Array;
    tf.dispose([x, d]);
    expectClose(values, referenceDistances(base, 'cosine'), 1e-3);
  });

  it('rejects an unknown metric', () => {
    const x = tf.ones([2, 2]) as tf.Tensor2D;
    try {
      pairwiseDistanceTensor(x, 'manhattan' as 'euclidean');
      expect.fail('expected an error');
    } catch (error) {
      expect((error as PeakPruneError).code).toBe('invalid-options');
    } finally {
      x.dispose();
    }
  });
});

describe('layerDistances', () => {
  it('returns a symmetric float64 matrix and leaks nothing', async () => {
    const rows = randomRows(10, 3 * 3 * 4, 21);
    const kernel = kernelFromRows(rows, 3, 3, 4);
    for (const metric of ['euclidean', 'cosine'] as const) {
      const before = tf.memory().numTensors;
      const dist = await layerDistances(kernel, metric);
      expect(tf.memory().numTensors).toBe(before);

      expect(dist).toBeInstanceOf(Float64Array);
      expect(dist.length).toBe(100);
      expectClose(dist, referenceDistances(rows, metric), 1e-3);
      for (let i = 0; i < 10; i++) {
        expect(dist[i * 10 + i]).toBe(0);
        for (let j = 0; j < 10; j++) expect(dist[i * 10 + j]).toBe(dist[j * 10 + i]);
      }
    }
    kernel.dispose();
  });
});

describe('filterNorms', () => {
  it('matches float64 L1 and L2 norms', async () => {
    const rows = randomRows(8, 2 * 2 * 3, 31);
    rows[3] = new Array<number>(12).fill(0);
    const kernel = kernelFromRows(rows, 2, 2, 3);
    const before = tf.memory().numTensors;
    const { l1, l2 } = await filterNorms(kernel);
    expect(tf.memory().numTensors).toBe(before);
    kernel.dispose();

    expectClose(l1, Float64Array.from(rows, (r) => r.reduce((s, v) => s + Math.abs(v), 0)), 1e-5);
    expectClose(l2, Float64Array.from(rows, (r) => Math.sqrt(r.reduce((s, v) => s + v * v, 0))), 1e-5);
    expect(l1[3]).toBe(0);
    expect(l2[3]).toBe(0);
  });
});
