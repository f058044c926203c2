// The walkthrough's steps, in the order density peak clustering and APoZ pruning run, and what
// each step lets the charts show. The charts draw the full result of the layer's clustering,
// masked down to what has been computed by the current step.
import type { DpcResult } from '../../core/types';

export type StepId = 'distances' | 'density' | 'delta' | 'gamma' | 'assignment' | 'halo' | 'apoz' | 'removed';

export interface WalkthroughStep {
  id: StepId;
  title: string;
  /** The step's formula in plain Unicode. */
  formula: string;
  /** Two or three sentences for a student. */
  explanation: string;
}

export const WALKTHROUGH_STEPS: readonly WalkthroughStep[] = [
  {
    id: 'distances',
    title: 'Distances between filters',
    formula: 'd_ij = ‖w_i − w_j‖₂',
    explanation:
      'Each filter is flattened to one vector of kh·kw·c_in weights, and every pair of filters gets a Euclidean distance. ' +
      'The map places the filters so that their 2-D distances follow these distances as closely as two axes allow. ' +
      'Hover a filter to shade the others by their distance to it.',
  },
  {
    id: 'density',
    title: 'Cutoff d_c and local density ρ',
    formula: 'd_c = p-th percentile of all d_ij;   ρ_i = Σ_{j≠i} exp(−(d_ij / d_c)²)',
    explanation:
      'The cutoff d_c is a small percentile of all pairwise distances. A filter with many other filters closer than d_c ' +
      'has a high local density ρ, drawn here as a larger point. Hover a filter to draw the neighbours within d_c that make up most of its ρ.',
  },
  {
    id: 'delta',
    title: 'Distance δ to a denser filter',
    formula: 'δ_i = min { d_ij : ρ_j > ρ_i };   δ = max_j d_ij for the densest filter',
    explanation:
      'Each filter looks for its nearest filter of higher density; δ is the distance to it, and the arrows point to it. ' +
      'Filters that are dense and far from anything denser stand out at the top right of the decision graph.',
  },
  {
    id: 'gamma',
    title: 'γ and the choice of centers',
    formula: 'γ_i = ρ_i · δ_i',
    explanation:
      'Cluster centers are the filters with both high ρ and high δ, so a large γ. The densest filter is always a center, ' +
      'and the others are chosen where γ stands out, or by hand by clicking points on the decision graph.',
  },
  {
    id: 'assignment',
    title: 'Assignment to clusters',
    formula: 'label(i) = label(nearest denser filter of i), in decreasing ρ',
    explanation:
      'Going from the densest filter down, every filter that is not a center joins the cluster of the denser filter its arrow points to. ' +
      'One pass is enough because that filter already has its label.',
  },
  {
    id: 'halo',
    title: 'Halo',
    formula: 'ρ_b(k) = max (ρ_i + ρ_j)/2 over d_ij < d_c, i in k, j not in k;   halo if ρ_i < ρ_b(label(i))',
    explanation:
      'Where two clusters touch, the border density ρ_b is the mean density of the densest pair of neighbours across the border. ' +
      'Members less dense than their cluster’s border are its halo, drawn hollow: their cluster membership is the least certain.',
  },
  {
    id: 'apoz',
    title: 'APoZ ranking inside each cluster',
    formula: 'APoZ_c = zeros in channel c after its ReLU / (N · H · W)',
    explanation:
      'Each filter’s activation map is measured on the calibration images; APoZ is the share of zeros after the ReLU. ' +
      'A filter whose output is mostly zero contributes little, so inside each cluster the filters are ranked by APoZ, highest first. ' +
      'The table lists each cluster’s ranking.',
  },
  {
    id: 'removed',
    title: 'Removed filters and what remains',
    formula: 'q_k ≈ r · n_k per cluster, Σ q_k = round(r · n), each cluster keeps ≥ 1',
    explanation:
      'Every cluster gives up about the same share of its members, taking the highest-APoZ filters first, and never all of them. ' +
      'So each kind of feature the clusters stand for keeps at least one filter. Crossed points are the filters the plan removes.',
  },
];

/** Parts of the clustering the charts may show at a step. Each later step adds to the earlier ones. */
export interface StageView {
  /** ρ known: the map sizes points by ρ and the hover shows the d_c neighbourhood. */
  density: boolean;
  /** δ known: arrows to the nearest denser filter, and the decision graph is drawn. */
  delta: boolean;
  centers: boolean;
  clusters: boolean;
  halo: boolean;
  apoz: boolean;
  removed: boolean;
}

/** Returns what the charts show at step index `step` (clamped to the list). */
export function stageView(step: number): StageView {
  const index = clampStep(step);
  const reached = (id: StepId) => index >= WALKTHROUGH_STEPS.findIndex((s) => s.id === id);
  return {
    density: reached('density'),
    delta: reached('delta'),
    centers: reached('gamma'),
    clusters: reached('assignment'),
    halo: reached('halo'),
    apoz: reached('apoz'),
    removed: reached('removed'),
  };
}

/** Clamps a step index to the walkthrough's range; NaN becomes 0. */
export function clampStep(step: number): number {
  if (!Number.isFinite(step)) return 0;
  return Math.min(WALKTHROUGH_STEPS.length - 1, Math.max(0, Math.round(step)));
}

/** Returns the clustering as the decision graph draws it at a stage, with labels, centers, halo and removals hidden until computed. */
export function maskedClusters(
  dpc: DpcResult,
  removed: ReadonlySet<number>,
  view: StageView,
): { labels: Int32Array; centers: readonly number[]; halo: Uint8Array; removed: ReadonlySet<number> } {
  return {
    labels: view.clusters ? dpc.labels : new Int32Array(dpc.n).fill(-1),
    centers: view.centers ? dpc.centers : [],
    halo: view.halo ? dpc.halo : new Uint8Array(dpc.n),
    removed: view.removed ? removed : new Set<number>(),
  };
}

/** Members of each cluster sorted by decreasing APoZ (ties: lower index first). */
export function apozRanking(labels: Int32Array, clusterCount: number, apoz: Float64Array): number[][] {
  const members: number[][] = Array.from({ length: clusterCount }, () => []);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= 0 && labels[i] < clusterCount) members[labels[i]].push(i);
  }
  return members.map((filters) => filters.sort((a, b) => apoz[b] - apoz[a] || a - b));
}
