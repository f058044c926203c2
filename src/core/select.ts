// Filter selection for one layer: per-cluster quotas ranked by a score, or the L1-norm baseline.

import { PeakPruneError } from './errors';

/**
 * Returns how many of n filters to remove: round(ratio·n), capped so that at least
 * max(minChannels, 1) filters remain, and never negative.
 *
 * ratio·n is rounded half up, with a 1e-9 allowance so that a product such as 0.29·50, which is
 * 14.499999999999998 in binary floating point, still rounds to 15. Throws `invalid-options`
 * unless 0 ≤ ratio < 1.
 */
export function removalCount(n: number, ratio: number, minChannels: number): number {
  if (!Number.isFinite(ratio) || ratio < 0 || ratio >= 1) {
    throw new PeakPruneError('invalid-options', `The pruning ratio ${ratio} is invalid; use a number from 0 up to but excluding 1.`);
  }
  if (!Number.isInteger(n) || n < 0) {
    throw new PeakPruneError('internal', `The filter count ${n} is not a non-negative integer.`);
  }
  if (!Number.isFinite(minChannels) || minChannels < 0) {
    throw new PeakPruneError('invalid-options', `The minimum channel count ${minChannels} is invalid; use an integer of at least 0.`);
  }
  const requested = Math.floor(ratio * n + 0.5 + 1e-9);
  return Math.max(0, Math.min(requested, n - Math.max(Math.ceil(minChannels), 1)));
}

/**
 * Splits `total` removals over clusters in proportion to their sizes, so that every cluster keeps
 * at least one member (q_k ≤ n_k − 1) and Σ q_k = min(total, Σ (n_k − 1)).
 *
 * Quotas are apportioned by largest remainder on the exact shares total·n_k / Σ n. When a share
 * exceeds its cap n_k − 1, that cluster is fixed at its cap and the rest is re-apportioned over
 * the other clusters in proportion to their sizes, until no cap binds. Equal remainders go to the
 * lower cluster index. When total exceeds Σ (n_k − 1), every cluster gives up all but one member
 * and the quotas sum to less than total. removalCount does not know the clusters, so this cap
 * is the one that applies in that case. Sizes of 0 are allowed and get quota 0.
 */
export function clusterQuotas(clusterSizes: readonly number[], total: number): number[] {
  for (const size of clusterSizes) {
    if (!Number.isInteger(size) || size < 0) {
      throw new PeakPruneError('internal', `Cluster size ${size} is not a non-negative integer.`);
    }
  }
  if (!Number.isInteger(total) || total < 0) {
    throw new PeakPruneError('internal', `The removal count ${total} is not a non-negative integer.`);
  }
  const caps = clusterSizes.map((size) => Math.max(size - 1, 0));
  const quotas = new Array<number>(clusterSizes.length).fill(0);
  const active = new Set(clusterSizes.keys());
  let remaining = Math.min(total, caps.reduce((sum, cap) => sum + cap, 0));

  // Fix every cluster whose proportional share exceeds its cap, then re-apportion the rest.
  for (;;) {
    const size = sumOf(active, clusterSizes);
    const capped = [...active].filter((k) => remaining * clusterSizes[k] > caps[k] * size);
    if (capped.length === 0) break;
    for (const k of capped) {
      quotas[k] = caps[k];
      remaining -= caps[k];
      active.delete(k);
    }
  }

  // Largest remainder over the uncapped clusters, in exact integer arithmetic: share = num / size.
  const size = sumOf(active, clusterSizes);
  if (size === 0) return quotas;
  const byRemainder = [...active].sort((a, b) => {
    const ra = (remaining * clusterSizes[a]) % size;
    const rb = (remaining * clusterSizes[b]) % size;
    return rb - ra || a - b;
  });
  let left = remaining;
  for (const k of active) {
    quotas[k] = Math.floor((remaining * clusterSizes[k]) / size);
    left -= quotas[k];
  }
  for (let i = 0; i < left; i++) quotas[byRemainder[i]] += 1;
  return quotas;
}

function sumOf(indices: Iterable<number>, values: readonly number[]): number {
  let sum = 0;
  for (const k of indices) sum += values[k];
  return sum;
}

/**
 * Selects `count` filters to remove, spread over clusters by clusterQuotas, and returns their
 * indices ascending. Inside each cluster the filters with the highest score go first. Equal
 * scores go to the lower filter index first.
 *
 * The score must mean "higher is less important": APoZ when the activation outputs exact zeros,
 * or the negated mean absolute activation otherwise. When count exceeds what the clusters can
 * give while each keeps one member, fewer than count filters are returned.
 */
export function selectDpcApoz(labels: Int32Array, clusterCount: number, score: Float64Array, count: number): number[] {
  if (score.length !== labels.length) {
    throw new PeakPruneError('internal', `${score.length} scores were given for ${labels.length} filters.`);
  }
  checkFinite(score, 'score');
  const members: number[][] = Array.from({ length: clusterCount }, () => []);
  labels.forEach((label, i) => {
    if (!(label >= 0 && label < clusterCount)) {
      throw new PeakPruneError('internal', `Filter ${i} has cluster label ${label}; expected 0 to ${clusterCount - 1}.`);
    }
    members[label].push(i);
  });

  const quotas = clusterQuotas(members.map((m) => m.length), count);
  const removed: number[] = [];
  members.forEach((cluster, k) => {
    const ranked = [...cluster].sort((a, b) => score[b] - score[a] || a - b);
    removed.push(...ranked.slice(0, quotas[k]));
  });
  return removed.sort((a, b) => a - b);
}

/** Selects the `count` filters with the smallest norm (equal norms: lower index first), ascending. */
export function selectByNorm(norms: Float64Array, count: number): number[] {
  if (!Number.isInteger(count) || count < 0 || count > norms.length) {
    throw new PeakPruneError('internal', `Cannot remove ${count} of ${norms.length} filters.`);
  }
  checkFinite(norms, 'norm');
  const ranked = Array.from(norms, (_, i) => i).sort((a, b) => norms[a] - norms[b] || a - b);
  return ranked.slice(0, count).sort((a, b) => a - b);
}

function checkFinite(values: Float64Array, quantity: string): void {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new PeakPruneError('invalid-model', `Filter ${bad} has ${quantity} ${values[bad]}; check the layer's weights and the sample images.`);
  }
}
