// Density peak clustering (Rodriguez and Laio, Science 344, 2014) over a dense distance matrix.
//
// Every function takes the n × n distances as one row-major Float64Array: dist[i * n + j] = d_ij.
// The matrix must be symmetric with a zero diagonal, and entries must be finite and non-negative.
// All results are deterministic: ties in density go to the lower index, ties in distance to the
// point found first.

import { PeakPruneError } from './errors';
import type { DensityKernel, DpcOptions, DpcResult } from './types';

/**
 * Computes the p-th percentile (0–100) of the n(n−1)/2 distances d_ij with i < j.
 *
 * Interpolation is linear between order statistics: with the m distances sorted ascending as
 * v[0..m−1] and h = (p / 100)·(m − 1), the result is v[⌊h⌋] + (h − ⌊h⌋)·(v[⌊h⌋+1] − v[⌊h⌋]).
 * When that value is 0 but some distances are positive, because zero or duplicate filters fill
 * the low percentiles, the same percentile of the positive distances is returned instead, so that
 * d_c still measures the spread of distinct filters. Returns 0 when every distance is 0 or n < 2.
 */
export function cutoffDistance(dist: Float64Array, n: number, percentile: number): number {
  checkMatrix(dist, n);
  if (!Number.isFinite(percentile) || percentile < 0 || percentile > 100) {
    throw new PeakPruneError('invalid-options', `The d_c percentile ${percentile} is invalid; use a number from 0 to 100.`);
  }
  const pairs = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) pairs[k++] = dist[i * n + j];
  }
  pairs.sort();
  const value = interpolatedPercentile(pairs, percentile);
  if (value > 0 || pairs.length === 0 || pairs[pairs.length - 1] === 0) return value;
  const firstPositive = pairs.findIndex((d) => d > 0);
  return interpolatedPercentile(pairs.subarray(firstPositive), percentile);
}

function interpolatedPercentile(sorted: Float64Array, percentile: number): number {
  if (sorted.length === 0) return 0;
  const h = (percentile / 100) * (sorted.length - 1);
  const low = Math.floor(h);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low] + (h - low) * (sorted[high] - sorted[low]);
}

/**
 * Computes the local density ρ of every point.
 *
 * Gaussian: ρ_i = Σ_{j≠i} exp(−(d_ij / d_c)²). Cutoff: ρ_i = |{ j ≠ i : d_ij < d_c }|.
 * With d_c = 0 both kernels count the neighbours at distance exactly 0 with weight 1 and all
 * others with weight 0, which is the limit of the Gaussian as d_c → 0.
 */
export function localDensity(dist: Float64Array, n: number, dc: number, kernel: DensityKernel): Float64Array {
  checkMatrix(dist, n);
  if (!Number.isFinite(dc) || dc < 0) {
    throw new PeakPruneError('invalid-options', `The cutoff distance d_c = ${dc} is invalid; it must be finite and at least 0.`);
  }
  const weight = kernelWeight(dc, kernel);
  const rho = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const w = weight(dist[i * n + j]);
      rho[i] += w;
      rho[j] += w;
    }
  }
  return rho;
}

function kernelWeight(dc: number, kernel: DensityKernel): (d: number) => number {
  if (dc === 0) return (d) => (d === 0 ? 1 : 0);
  if (kernel === 'gaussian') return (d) => Math.exp(-((d / dc) ** 2));
  if (kernel === 'cutoff') return (d) => (d < dc ? 1 : 0);
  throw new PeakPruneError('invalid-options', `Unknown density kernel "${String(kernel)}"; use gaussian or cutoff.`);
}

/** Returns the point indices sorted by decreasing ρ; of two points with equal ρ the lower index comes first. */
export function densityOrder(rho: Float64Array): Int32Array {
  const order = Array.from(rho, (_, i) => i);
  order.sort((a, b) => rho[b] - rho[a] || a - b);
  return Int32Array.from(order);
}

/**
 * Computes δ_i, the distance from point i to its nearest point ranked denser in `order`, and
 * the index of that point. Of several denser points at the same distance, the one ranked
 * densest wins. The densest point gets δ = max_j d_ij and nearestDenser = −1 (δ = 0 when n = 1).
 * Throws when `order` is not sorted by decreasing `rho`.
 */
export function separation(
  dist: Float64Array,
  n: number,
  rho: Float64Array,
  order: Int32Array,
): { delta: Float64Array; nearestDenser: Int32Array } {
  checkMatrix(dist, n);
  checkOrder(rho, order, n);
  const delta = new Float64Array(n);
  const nearestDenser = new Int32Array(n).fill(-1);

  const densest = order[0];
  for (let j = 0; j < n; j++) delta[densest] = Math.max(delta[densest], dist[densest * n + j]);

  for (let rank = 1; rank < n; rank++) {
    const i = order[rank];
    let best = Infinity;
    for (let r = 0; r < rank; r++) {
      const d = dist[i * n + order[r]];
      if (d < best) {
        best = d;
        nearestDenser[i] = order[r];
      }
    }
    delta[i] = best;
  }
  return { delta, nearestDenser };
}

function checkOrder(rho: Float64Array, order: Int32Array, n: number): void {
  if (rho.length !== n || order.length !== n) {
    throw new PeakPruneError('internal', `Density arrays have lengths ${rho.length} and ${order.length}; expected ${n}.`);
  }
  for (let r = 1; r < n; r++) {
    if (rho[order[r]] > rho[order[r - 1]]) {
      throw new PeakPruneError('internal', `The density order is not sorted by decreasing ρ at rank ${r}.`);
    }
  }
}

/** Options of the automatic center rule. */
export interface CenterRuleOptions {
  /** Smallest ratio between consecutive sorted γ values that counts as a gap. Default 2. */
  minGapRatio?: number;
  /** Standard deviations above the mean that γ must exceed when there is no gap. Default 2. */
  sigmas?: number;
}

/**
 * Chooses cluster centers as the points with outlying γ, and returns them densest first,
 * then by decreasing γ (ties: lower index first).
 *
 * γ is normalised as (ρ_i / max ρ)·(δ_i / max δ) so that the rule does not depend on the units
 * of distance or on the kernel, and sorted descending as g_1 ≥ g_2 ≥ … Two rules apply in turn:
 * 1. Gap: when some g_k / g_{k+1} with k ≤ ⌈√n⌉ is at least minGapRatio, the k points above the
 *    largest such ratio (the first on ties) are the centers. This finds separated clusters, where the other centers
 *    would inflate a standard deviation.
 * 2. Otherwise the centers are the points whose γ is strictly above mean + sigmas·std of all
 *    normalised γ (population std). On layers without cluster structure this picks the upper
 *    tail of γ, a few percent of the points.
 * The densest point is always a center, so at least one center is returned.
 */
export function chooseCentersAutomatically(
  rho: Float64Array,
  delta: Float64Array,
  options: CenterRuleOptions = {},
): number[] {
  const n = rho.length;
  if (n === 0 || delta.length !== n) {
    throw new PeakPruneError('internal', `ρ and δ have lengths ${n} and ${delta.length}; expected equal and non-zero.`);
  }
  const gamma = normalisedGamma(rho, delta);
  const byGamma = Array.from(gamma, (_, i) => i).sort((a, b) => gamma[b] - gamma[a] || a - b);
  const aboveGap = largestGap(gamma, byGamma, options.minGapRatio ?? 2);
  const picked = aboveGap > 0 ? byGamma.slice(0, aboveGap) : aboveMeanPlusSigmas(gamma, byGamma, options.sigmas ?? 2);

  const densest = densityOrder(rho)[0];
  return [densest, ...picked.filter((i) => i !== densest)];
}

/**
 * Returns the k points of largest γ = ρ·δ as centers, densest first. On layers whose filters
 * show no clear cluster structure (γ without outliers) this is how a user asks for k clusters.
 * k is clamped to [1, n].
 */
export function topGammaCenters(rho: Float64Array, delta: Float64Array, k: number): number[] {
  const n = rho.length;
  if (!Number.isFinite(k) || k < 1) {
    throw new PeakPruneError('invalid-options', `The cluster count must be a whole number of at least 1; got ${k}.`);
  }
  const gamma = normalisedGamma(rho, delta);
  const byGamma = Array.from(gamma, (_, i) => i).sort((a, b) => gamma[b] - gamma[a] || a - b);
  const densest = densityOrder(rho)[0];
  const rest = byGamma.filter((i) => i !== densest);
  return [densest, ...rest.slice(0, Math.min(Math.floor(k), n) - 1)];
}

/** Returns the number of sorted γ values above the largest qualifying gap, or 0 when there is none. */
function largestGap(gamma: Float64Array, byGamma: number[], minGapRatio: number): number {
  const last = Math.min(Math.ceil(Math.sqrt(gamma.length)), gamma.length - 1);
  let best = 0;
  let bestRatio = 0;
  for (let k = 1; k <= last; k++) {
    const upper = gamma[byGamma[k - 1]];
    const lower = gamma[byGamma[k]];
    let ratio = 1;
    if (lower > 0) ratio = upper / lower;
    else if (upper > 0) ratio = Infinity;
    if (ratio >= minGapRatio && ratio > bestRatio) {
      best = k;
      bestRatio = ratio;
    }
  }
  return best;
}

function aboveMeanPlusSigmas(gamma: Float64Array, byGamma: number[], sigmas: number): number[] {
  const n = gamma.length;
  const mean = gamma.reduce((sum, g) => sum + g, 0) / n;
  const variance = gamma.reduce((sum, g) => sum + (g - mean) ** 2, 0) / n;
  const threshold = mean + sigmas * Math.sqrt(variance);
  return byGamma.filter((i) => gamma[i] > threshold);
}

function normalisedGamma(rho: Float64Array, delta: Float64Array): Float64Array {
  const maxRho = rho.reduce((max, r) => Math.max(max, r), 0);
  const maxDelta = delta.reduce((max, d) => Math.max(max, d), 0);
  const gamma = new Float64Array(rho.length);
  if (maxRho <= 0 || maxDelta <= 0) return gamma;
  for (let i = 0; i < rho.length; i++) gamma[i] = (rho[i] / maxRho) * (delta[i] / maxDelta);
  return gamma;
}

/**
 * Returns the center list that labels follow: the densest point (order[0]) first, then the
 * other given centers in their given order, without repeats. Throws on an index outside [0, n).
 */
export function normalizeCenters(centers: readonly number[], order: Int32Array): number[] {
  const n = order.length;
  for (const c of centers) {
    if (!Number.isInteger(c) || c < 0 || c >= n) {
      throw new PeakPruneError('invalid-options', `Center ${c} is not a point index; use an integer from 0 to ${n - 1}.`);
    }
  }
  return [...new Set([order[0], ...centers])];
}

/**
 * Assigns every point to a cluster. Center normalizeCenters(centers)[k] gets label k; then, in
 * decreasing ρ, each other point takes the label of its nearest denser point.
 */
export function assignClusters(order: Int32Array, nearestDenser: Int32Array, centers: readonly number[]): Int32Array {
  const labels = new Int32Array(order.length).fill(-1);
  normalizeCenters(centers, order).forEach((c, k) => {
    labels[c] = k;
  });
  for (const i of order) {
    if (labels[i] === -1) labels[i] = labels[nearestDenser[i]];
  }
  return labels;
}

/**
 * Flags halo points (1) and core points (0).
 *
 * The border density ρ_b of cluster k is the largest (ρ_i + ρ_j) / 2 over pairs with d_ij < d_c
 * whose points lie in different clusters, one of them in k. A cluster without such a pair has
 * ρ_b = 0 and no halo. A point is halo when its ρ is below its cluster's ρ_b. With d_c = 0 no pair
 * is closer than d_c, so nothing is halo.
 *
 * NOTE: on trained conv layers without clear cluster structure, ρ_b comes close to the largest ρ,
 * so nearly every member is flagged (seen on CIFAR-10 and Darknet-tiny layers of 64–1000 filters).
 */
export function haloFlags(
  dist: Float64Array,
  n: number,
  dc: number,
  rho: Float64Array,
  labels: Int32Array,
  clusterCount: number,
): Uint8Array {
  checkMatrix(dist, n);
  const border = new Float64Array(clusterCount);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (labels[i] === labels[j] || !(dist[i * n + j] < dc)) continue;
      const mean = (rho[i] + rho[j]) / 2;
      border[labels[i]] = Math.max(border[labels[i]], mean);
      border[labels[j]] = Math.max(border[labels[j]], mean);
    }
  }
  const halo = new Uint8Array(n);
  for (let i = 0; i < n; i++) halo[i] = rho[i] < border[labels[i]] ? 1 : 0;
  return halo;
}

/** Distances at most this fraction of the largest distance count as 0 in findDuplicates. */
export const DUPLICATE_TOLERANCE = 1e-6;

/**
 * Finds all-zero filters and groups of filters at distance 0 from each other.
 *
 * Two filters are duplicates when d_ij ≤ DUPLICATE_TOLERANCE · max d, and groups are the
 * transitive closure of that relation. Zero filters always share one group. Groups of two or
 * more are returned, members ascending, groups ordered by their first member.
 */
export function findDuplicates(
  dist: Float64Array,
  n: number,
  zeroNorm: readonly boolean[] | Uint8Array,
): { zeroFilters: number[]; duplicateGroups: number[][] } {
  checkMatrix(dist, n);
  if (zeroNorm.length !== n) {
    throw new PeakPruneError('internal', `The zero-norm flags have length ${zeroNorm.length}; expected ${n}.`);
  }
  const tolerance = DUPLICATE_TOLERANCE * dist.reduce((max, d) => Math.max(max, d), 0);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const join = (i: number, j: number): void => {
    const [a, b] = [root(i), root(j)];
    parent[Math.max(a, b)] = Math.min(a, b);
  };

  const zeroFilters: number[] = [];
  for (let i = 0; i < n; i++) if (zeroNorm[i]) zeroFilters.push(i);
  for (const z of zeroFilters) join(zeroFilters[0], z);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) if (dist[i * n + j] <= tolerance) join(i, j);
  }

  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const members = groups.get(root(i));
    if (members) members.push(i);
    else groups.set(root(i), [i]);
  }
  const duplicateGroups = [...groups.values()].filter((g) => g.length >= 2).sort((a, b) => a[0] - b[0]);
  return { zeroFilters, duplicateGroups };
}

/**
 * Runs density peak clustering on n points.
 *
 * Centers come from options.centers when given (the densest point is added first when missing),
 * otherwise from chooseCentersAutomatically. Halo flags are computed only when options.halo is
 * true. Zero filters are those whose entry in `filterNorms` is 0, and none without it.
 * options.metric is not read here because the distances are already computed.
 */
export function densityPeakClustering(
  dist: Float64Array,
  n: number,
  options: DpcOptions,
  filterNorms?: Float64Array,
): DpcResult {
  if (filterNorms && filterNorms.length !== n) {
    throw new PeakPruneError('internal', `${filterNorms.length} filter norms were given for ${n} filters.`);
  }
  const dc = cutoffDistance(dist, n, options.percentile);
  const rho = localDensity(dist, n, dc, options.kernel);
  const order = densityOrder(rho);
  const { delta, nearestDenser } = separation(dist, n, rho, order);
  const gamma = rho.map((r, i) => r * delta[i]);

  let picked = options.centers;
  if (picked === undefined) {
    picked =
      options.clusterCount === undefined
        ? chooseCentersAutomatically(rho, delta)
        : topGammaCenters(rho, delta, options.clusterCount);
  }
  const centers = normalizeCenters(picked, order);
  const labels = assignClusters(order, nearestDenser, centers);
  const halo = options.halo ? haloFlags(dist, n, dc, rho, labels, centers.length) : new Uint8Array(n);

  const zeroNorm = filterNorms ? Array.from(filterNorms, (norm) => norm === 0) : new Array<boolean>(n).fill(false);
  const { zeroFilters, duplicateGroups } = findDuplicates(dist, n, zeroNorm);

  return { n, dc, rho, delta, gamma, nearestDenser, order, centers, labels, halo, zeroFilters, duplicateGroups };
}

/** Throws unless `dist` is an n × n matrix of finite, non-negative values. */
function checkMatrix(dist: Float64Array, n: number): void {
  if (!Number.isInteger(n) || n < 1 || dist.length !== n * n) {
    throw new PeakPruneError('internal', `The distance matrix has ${dist.length} entries; expected ${n} × ${n}.`);
  }
  for (let k = 0; k < dist.length; k++) {
    const d = dist[k];
    if (!(d >= 0) || d === Infinity) {
      const [i, j] = [Math.floor(k / n), k % n];
      throw new PeakPruneError(
        'invalid-model',
        `Distance d(${i}, ${j}) = ${d} is not a finite non-negative number; check the layer's weights for NaN or infinity.`,
      );
    }
  }
}
