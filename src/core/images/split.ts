// Seeded, stratified split of labelled images into calibration and evaluation sets.
import { PeakPruneError } from '../errors';
import { mulberry32 } from '../random';

export interface SplitSettings {
  /** Fraction of each class that goes to the evaluation set, in (0, 1). */
  evaluationFraction: number;
  /** Seed of the shuffle; one seed always gives the same split of the same labels. */
  seed: number;
}

export const DEFAULT_SPLIT: SplitSettings = { evaluationFraction: 0.3, seed: 1 };

/** Image indices of each set, ascending and disjoint; together they cover every image. */
export interface SplitIndices {
  calibration: number[];
  evaluation: number[];
}

/**
 * Splits image indices class by class. Each class is shuffled with a mulberry32 stream seeded by
 * `seed`, and round(evaluationFraction × class size) images go to evaluation, but a class of two
 * or more images keeps at least one image on each side. A class of one image goes to calibration.
 * Throws `invalid-options` when the fraction is not strictly between 0 and 1 or the seed is not an integer.
 */
export function stratifiedSplit(labels: ArrayLike<number>, settings: SplitSettings): SplitIndices {
  const { evaluationFraction, seed } = settings;
  if (!(evaluationFraction > 0 && evaluationFraction < 1)) {
    throw new PeakPruneError('invalid-options', `The evaluation fraction must be between 0 and 1 (exclusive); got ${evaluationFraction}.`);
  }
  if (!Number.isSafeInteger(seed)) {
    throw new PeakPruneError('invalid-options', `The split seed must be an integer; got ${seed}.`);
  }
  const random = mulberry32(seed);
  const calibration: number[] = [];
  const evaluation: number[] = [];
  for (const members of indicesByLabel(labels)) {
    shuffleInPlace(members, random);
    const size = members.length;
    const wanted = Math.round(evaluationFraction * size);
    const taken = size < 2 ? 0 : Math.min(size - 1, Math.max(1, wanted));
    evaluation.push(...members.slice(0, taken));
    calibration.push(...members.slice(taken));
  }
  const ascending = (a: number, b: number) => a - b;
  return { calibration: calibration.sort(ascending), evaluation: evaluation.sort(ascending) };
}

/** Groups indices by label, groups ordered by ascending label and indices ascending inside each. */
function indicesByLabel(labels: ArrayLike<number>): number[][] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const group = groups.get(labels[i]);
    if (group === undefined) groups.set(labels[i], [i]);
    else group.push(i);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((label) => groups.get(label)!);
}

/** Fisher–Yates shuffle. */
function shuffleInPlace(values: number[], random: () => number): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = values[i];
    values[i] = values[j];
    values[j] = swap;
  }
}
