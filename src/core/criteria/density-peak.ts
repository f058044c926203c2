// Pruning near density peaks, after Jang, Lee and Kim, "Compressing Convolutional Neural
// Networks by Pruning Density Peak Filters", IEEE Access 9, 2021. Filters in the densest
// region of filter space are the most redundant. Removing a few at a time and recomputing the
// density in between spreads the removals over several dense regions.

import { localDensity } from '../dpc';
import { PeakPruneError } from '../errors';
import type { DensityKernel, DpcResult } from '../types';
import type { Criterion } from './types';

/** Share of a layer's filters removed per step of densityPeakRemovalOrder (at least one filter). */
export const DENSITY_PEAK_STEP_FRACTION = 0.05;

/**
 * Returns the order in which density-peak pruning removes filters: n − 1 filter indices, the
 * first removed first. `distances` is the row-major n × n matrix, `rho` the DPC density of every
 * filter, and `weight` the density kernel, so that ρ_i = Σ_{j≠i} weight(d_ij). Each step:
 *
 * 1. the density peak is the remaining filter of highest ρ (equal ρ: lower index).
 * 2. the `step` remaining filters nearest to the peak are removed, nearest first (equal
 *    distance: lower index). The peak itself stays.
 * 3. ρ is recomputed over the remaining filters only: ρ_i = Σ weight(d_ij) over remaining j ≠ i.
 *    Recomputing, rather than subtracting the removed terms, keeps rounding residue out of the
 *    comparisons, so filters that have lost all neighbours tie at exactly 0.
 *
 * Steps repeat until one filter is left. The order does not depend on how many filters a plan
 * removes, so a plan removing k filters takes the first k.
 *
 * NOTE: this follows the paper's abstract, not its full text: filters near the density peak
 * are pruned, a fixed number per iteration, with density from the neighbours within a cutoff
 * and the distance to denser filters. One peak per step, keeping the peak itself, a step of 5 %
 * of the filters and DPC's ρ without δ are choices made here and may differ from the paper.
 */
export function densityPeakRemovalOrder(
  distances: Float64Array,
  n: number,
  rho: Float64Array,
  weight: (distance: number) => number,
  step: number,
): number[] {
  if (rho.length !== n || distances.length !== n * n) {
    throw new PeakPruneError('internal', `Density-peak pruning got ${rho.length} densities and ${distances.length} distances for ${n} filters.`);
  }
  if (!Number.isInteger(step) || step < 1) {
    throw new PeakPruneError('internal', `The density-peak step ${step} is not a positive integer.`);
  }
  let density: Float64Array = Float64Array.from(rho);
  const remaining = Array.from({ length: n }, (_, i) => i);
  const order: number[] = [];

  while (remaining.length > 1) {
    let peak = remaining[0];
    for (const i of remaining) if (density[i] > density[peak]) peak = i;

    const byDistance = remaining
      .filter((j) => j !== peak)
      .sort((a, b) => distances[peak * n + a] - distances[peak * n + b] || a - b);
    const removed = new Set(byDistance.slice(0, step));
    order.push(...removed);
    remaining.splice(0, remaining.length, ...remaining.filter((i) => !removed.has(i)));
    density = densityAmong(remaining, distances, n, weight);
  }
  return order;
}

/** Computes ρ of each listed filter over the other listed filters. Entries of unlisted filters stay 0. */
function densityAmong(members: readonly number[], distances: Float64Array, n: number, weight: (distance: number) => number): Float64Array {
  const density = new Float64Array(n);
  for (const [a, i] of members.entries()) {
    for (let b = a + 1; b < members.length; b++) {
      const j = members[b];
      const w = weight(distances[i * n + j]);
      density[i] += w;
      density[j] += w;
    }
  }
  return density;
}

/** Filters removed per step for a layer of n filters. */
export function densityPeakStep(n: number): number {
  return Math.max(1, Math.round(DENSITY_PEAK_STEP_FRACTION * n));
}

/**
 * Scores each filter by how early densityPeakRemovalOrder removes it: n − p for the filter
 * removed at position p (from 0), and 0 for the filter that is never removed. Needs the layer's
 * distance matrix. The density kernel is the one that reproduces the layer's DPC ρ from it.
 */
export const densityPeakCriterion: Criterion = ({ layer, distances }) => {
  const n = layer.filters;
  if (distances === undefined) {
    throw new PeakPruneError(
      'invalid-options',
      `Method density-peak needs the pairwise filter distances of layer "${layer.name}", but none were given; ` +
        'plan with the distances from the analysis (its LayerGeometry), or choose another method.',
    );
  }
  if (distances.length !== n * n) {
    throw new PeakPruneError('internal', `Layer "${layer.name}" has ${n} filters, but its distance matrix has ${distances.length} entries.`);
  }
  const kernel = densityKernelOf(layer.name, distances, layer.dpc);
  const order = densityPeakRemovalOrder(distances, n, layer.dpc.rho, densityWeight(layer.dpc.dc, kernel), densityPeakStep(n));
  const scores = new Float64Array(n);
  order.forEach((filter, position) => {
    scores[filter] = n - position;
  });
  return scores;
};

/**
 * Returns the density kernel whose densities, computed from `distances` and the layer's d_c,
 * equal the layer's DPC ρ (relative tolerance 1e-9). LayerAnalysis does not record the kernel,
 * and the check also catches distances from another analysis.
 */
function densityKernelOf(layerName: string, distances: Float64Array, dpc: DpcResult): DensityKernel {
  for (const kernel of ['gaussian', 'cutoff'] as const) {
    const rho = localDensity(distances, dpc.n, dpc.dc, kernel);
    if (rho.every((value, i) => Math.abs(value - dpc.rho[i]) <= 1e-9 * Math.max(1, Math.abs(dpc.rho[i])))) return kernel;
  }
  throw new PeakPruneError(
    'invalid-options',
    `The filter distances given for layer "${layerName}" do not reproduce its DPC densities; plan with the distances of the same analysis.`,
  );
}

/** Kernel term of one neighbour at distance d, as dpc.ts's localDensity adds it. */
function densityWeight(dc: number, kernel: DensityKernel): (distance: number) => number {
  if (dc === 0) return (d) => (d === 0 ? 1 : 0);
  if (kernel === 'gaussian') return (d) => Math.exp(-((d / dc) ** 2));
  return (d) => (d < dc ? 1 : 0);
}
