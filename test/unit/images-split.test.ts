import { describe, expect, it } from 'vitest';

import { stratifiedSplit } from '../../src/core/images/split';

/** Labels 0 × 10, 1 × 5, 2 × 1, interleaved so classes are not contiguous. */
const LABELS = [0, 1, 0, 0, 1, 0, 2, 0, 1, 0, 0, 1, 0, 0, 1, 0];

function countByLabel(indices: readonly number[], labels: readonly number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const index of indices) counts[labels[index]] = (counts[labels[index]] ?? 0) + 1;
  return counts;
}

describe('stratifiedSplit', () => {
  it('sends round(fraction × size) of each class to evaluation', () => {
    const split = stratifiedSplit(LABELS, { evaluationFraction: 0.3, seed: 7 });
    // Class 0: round(3.0) = 3, class 1: round(1.5) = 2, class 2 (one image): none.
    expect(countByLabel(split.evaluation, LABELS)).toEqual({ 0: 3, 1: 2 });
    expect(countByLabel(split.calibration, LABELS)).toEqual({ 0: 7, 1: 3, 2: 1 });
  });

  it('returns disjoint sets that cover every image', () => {
    const split = stratifiedSplit(LABELS, { evaluationFraction: 0.5, seed: 3 });
    const all = [...split.calibration, ...split.evaluation].sort((a, b) => a - b);
    expect(all).toEqual(LABELS.map((_, i) => i));
    expect(split.calibration.filter((i) => split.evaluation.includes(i))).toEqual([]);
  });

  it('returns ascending indices', () => {
    const split = stratifiedSplit(LABELS, { evaluationFraction: 0.5, seed: 3 });
    expect(split.calibration).toEqual([...split.calibration].sort((a, b) => a - b));
    expect(split.evaluation).toEqual([...split.evaluation].sort((a, b) => a - b));
  });

  it('gives the same split for the same seed', () => {
    const first = stratifiedSplit(LABELS, { evaluationFraction: 0.4, seed: 11 });
    const second = stratifiedSplit(LABELS, { evaluationFraction: 0.4, seed: 11 });
    expect(second).toEqual(first);
  });

  it('gives another split for another seed', () => {
    const labels = new Array<number>(40).fill(0);
    const first = stratifiedSplit(labels, { evaluationFraction: 0.5, seed: 1 });
    const second = stratifiedSplit(labels, { evaluationFraction: 0.5, seed: 2 });
    expect(second.evaluation).not.toEqual(first.evaluation);
  });

  it('keeps one image on each side of a two-image class', () => {
    const tiny = stratifiedSplit([5, 5], { evaluationFraction: 0.01, seed: 0 });
    expect(tiny.evaluation).toHaveLength(1);
    expect(tiny.calibration).toHaveLength(1);
    const large = stratifiedSplit([5, 5], { evaluationFraction: 0.99, seed: 0 });
    expect(large.evaluation).toHaveLength(1);
    expect(large.calibration).toHaveLength(1);
  });

  it('rejects fractions of 0 and 1', () => {
    expect(() => stratifiedSplit(LABELS, { evaluationFraction: 0, seed: 1 })).toThrow(/between 0 and 1/);
    expect(() => stratifiedSplit(LABELS, { evaluationFraction: 1, seed: 1 })).toThrow(/between 0 and 1/);
  });

  it('rejects a fractional seed', () => {
    expect(() => stratifiedSplit(LABELS, { evaluationFraction: 0.5, seed: 1.5 })).toThrow(/seed must be an integer/);
  });
});
