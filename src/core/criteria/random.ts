// Seeded random criterion: the baseline every other criterion has to beat.

import { PeakPruneError } from '../errors';
import { mulberry32 } from '../random';
import type { Criterion } from './types';

/**
 * Scores each filter with a uniform random number in [0, 1). The generator is seeded from the
 * plan's seed and the layer's name, so one seed gives one plan and layers of equal size do not
 * lose the same filter indices. The scores do not depend on the ratio, so a higher ratio
 * removes a superset of the filters a lower ratio removes.
 */
export const randomCriterion: Criterion = ({ layer, seed }) => {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new PeakPruneError('invalid-options', `The random seed ${seed} is invalid; use an integer from 0 to ${0xffffffff}.`);
  }
  const next = mulberry32(layerSeed(seed, layer.name));
  return Float64Array.from({ length: layer.filters }, () => next());
};

/** Mixes the seed and the layer name by 32-bit FNV-1a, starting from the offset basis XOR the seed. */
function layerSeed(seed: number, name: string): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
