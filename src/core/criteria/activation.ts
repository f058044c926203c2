// Activation criterion: APoZ (Hu et al., "Network Trimming", 2016), or the mean absolute
// activation where the activation never outputs exact zeros.

import type { LayerAnalysis } from '../types';
import type { Criterion } from './types';

/**
 * Returns a score where higher means less important: APoZ where the activation outputs exact
 * zeros, otherwise the negated mean absolute activation.
 */
export function importanceScore(layer: LayerAnalysis): Float64Array {
  if (layer.apoz.applies) return layer.apoz.apoz;
  return layer.apoz.meanAbs.map((value) => -value);
}

/** Scores each filter by importanceScore. */
export const activationCriterion: Criterion = ({ layer }) => importanceScore(layer);
