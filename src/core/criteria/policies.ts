// Selection policies: turn one score per filter (higher = less important) into removed indices.

import { PeakPruneError } from '../errors';
import { selectDpcApoz } from '../select';
import type { DpcResult } from '../types';

/**
 * Chooses `count` filters to remove from their scores (higher means less important) and the
 * layer's DPC clusters. Returns filter indices, ascending.
 */
export type SelectionPolicy = (scores: Float64Array, clusters: DpcResult, count: number) => number[];

/** Removes the `count` highest-scoring filters of the whole layer and ignores the clusters. */
export const selectLayerWide: SelectionPolicy = (scores, _clusters, count) => selectHighestScores(scores, count);

/**
 * Removes filters from every DPC cluster by the largest-remainder quotas of clusterQuotas, the
 * highest-scoring first inside each cluster. Every cluster keeps at least one member, so fewer
 * than `count` filters come back when the clusters cannot give that many.
 */
export const selectPerCluster: SelectionPolicy = (scores, clusters, count) =>
  selectDpcApoz(clusters.labels, clusters.centers.length, scores, count);

/** Selects the `count` filters of highest score (equal scores: lower index first), ascending. */
export function selectHighestScores(scores: Float64Array, count: number): number[] {
  if (!Number.isInteger(count) || count < 0 || count > scores.length) {
    throw new PeakPruneError('internal', `Cannot remove ${count} of ${scores.length} filters.`);
  }
  const bad = scores.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0) {
    throw new PeakPruneError('invalid-model', `Filter ${bad} has score ${scores[bad]}; check the layer's weights and the sample images.`);
  }
  const ranked = Array.from(scores, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  return ranked.slice(0, count).sort((a, b) => a - b);
}
