// FPGM (He et al., "Filter Pruning via Geometric Median", CVPR 2019): the filters nearest the
// geometric median of a layer's filters are the most replaceable by the others, so they go first.

import { PeakPruneError } from '../errors';
import { filterRows } from './norms';
import type { Criterion } from './types';

export interface GeometricMedianOptions {
  /** Weiszfeld iterations at most. Default 1000. */
  maxIterations?: number;
  /**
   * Iteration stops once a step moves the estimate by at most this fraction of the largest
   * distance from a point to the points' mean. Default 1e-12.
   */
  tolerance?: number;
}

/**
 * Computes the geometric median of n points (row-major n × dim, float64): the point y that
 * minimises Σ_i ‖x_i − y‖₂.
 *
 * Weiszfeld iterations start from the mean: y ← Σ w_i x_i / Σ w_i with w_i = 1 / ‖x_i − y‖.
 * When y lands on data points, the Vardi–Zhang step (Proc. Natl. Acad. Sci. 97, 2000) replaces
 * the plain update: with η coinciding points and R = Σ w_i (x_i − y) over the others, y is the
 * median when ‖R‖ ≤ η, and otherwise moves to (1 − η/‖R‖)·T + (η/‖R‖)·y, T being the plain update
 * over the other points. Returns the last estimate when maxIterations is reached.
 */
export function geometricMedian(points: Float64Array, n: number, dim: number, options: GeometricMedianOptions = {}): Float64Array {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(dim) || dim < 1 || points.length !== n * dim) {
    throw new PeakPruneError('internal', `${points.length} values cannot be ${n} points of dimension ${dim}.`);
  }
  const maxIterations = options.maxIterations ?? 1000;
  let median = meanOf(points, n, dim);
  const spread = maxDistanceTo(points, n, dim, median);
  if (spread === 0) return median;
  const tolerance = (options.tolerance ?? 1e-12) * spread;
  // Points closer than this to the estimate count as lying on it.
  const coincidence = 1e-14 * spread;

  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const next = weiszfeldStep(points, n, dim, median, coincidence);
    if (next === undefined) return median;
    const moved = distance(next, 0, median, 0, dim);
    median = next;
    if (moved <= tolerance) break;
  }
  return median;
}

/** Computes one Weiszfeld or Vardi–Zhang step. Returns undefined when `current` is already the median. */
function weiszfeldStep(points: Float64Array, n: number, dim: number, current: Float64Array, coincidence: number): Float64Array | undefined {
  const weighted = new Float64Array(dim);
  const pull = new Float64Array(dim);
  let weightSum = 0;
  let coinciding = 0;
  for (let i = 0; i < n; i++) {
    const d = distance(points, i * dim, current, 0, dim);
    if (d <= coincidence) {
      coinciding++;
      continue;
    }
    const w = 1 / d;
    weightSum += w;
    for (let k = 0; k < dim; k++) {
      weighted[k] += w * points[i * dim + k];
      pull[k] += w * (points[i * dim + k] - current[k]);
    }
  }
  if (weightSum === 0) return undefined;
  const plain = weighted.map((value) => value / weightSum);
  if (coinciding === 0) return plain;

  let pullNorm = 0;
  for (const value of pull) pullNorm += value * value;
  pullNorm = Math.sqrt(pullNorm);
  if (pullNorm <= coinciding) return undefined;
  const stay = coinciding / pullNorm;
  return plain.map((value, k) => (1 - stay) * value + stay * current[k]);
}

function meanOf(points: Float64Array, n: number, dim: number): Float64Array {
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) mean[k] += points[i * dim + k];
  return mean.map((sum) => sum / n);
}

function maxDistanceTo(points: Float64Array, n: number, dim: number, center: Float64Array): number {
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, distance(points, i * dim, center, 0, dim));
  return max;
}

function distance(a: Float64Array, aStart: number, b: Float64Array, bStart: number, dim: number): number {
  let sum = 0;
  for (let k = 0; k < dim; k++) sum += (a[aStart + k] - b[bStart + k]) ** 2;
  return Math.sqrt(sum);
}

/**
 * Scores for each kernel array, so that replanning on the page (every change of ratio or of a
 * hand override) does not rerun the Weiszfeld iterations. Kernels are never modified in place.
 */
const scoreCache = new WeakMap<Float32Array, Float64Array>();

/**
 * Scores each filter by its negated Euclidean distance to the geometric median of the layer's
 * filters, so the filter nearest the median has the highest score.
 */
export const fpgmCriterion: Criterion = ({ layer }) => {
  const cached = scoreCache.get(layer.kernel);
  if (cached !== undefined && cached.length === layer.filters) return cached.slice();
  const rows = filterRows(layer);
  const dim = rows.length / layer.filters;
  const median = geometricMedian(rows, layer.filters, dim);
  const scores = Float64Array.from({ length: layer.filters }, (_, f) => -distance(rows, f * dim, median, 0, dim));
  scoreCache.set(layer.kernel, scores);
  return scores.slice();
};
