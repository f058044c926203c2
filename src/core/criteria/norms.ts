// Magnitude criteria: the L1 and L2 norms of each filter (Li et al., "Pruning Filters for
// Efficient ConvNets", ICLR 2017). A smaller norm means a less important filter.

import { PeakPruneError } from '../errors';
import type { LayerAnalysis } from '../types';
import type { Criterion } from './types';

/**
 * Returns the layer's filters as rows of a row-major n × (kh·kw·cin) float64 matrix. The tfjs
 * kernel is stored kh × kw × cin × cout, so filter f consists of every cout-th value from index f.
 */
export function filterRows(layer: LayerAnalysis): Float64Array {
  const [kh, kw, cin, cout] = layer.kernelShape;
  const size = kh * kw * cin;
  if (cout !== layer.filters || layer.kernel.length !== size * cout) {
    throw new PeakPruneError(
      'internal',
      `Layer "${layer.name}" has ${layer.kernel.length} kernel values for shape [${layer.kernelShape.join(', ')}] and ${layer.filters} filters.`,
    );
  }
  const rows = new Float64Array(cout * size);
  for (let k = 0; k < size; k++) {
    for (let f = 0; f < cout; f++) rows[f * size + k] = layer.kernel[k * cout + f];
  }
  return rows;
}

/** Computes the L2 norm of every filter in float64. */
export function filterL2Norms(layer: LayerAnalysis): Float64Array {
  const rows = filterRows(layer);
  const size = rows.length / layer.filters;
  const norms = new Float64Array(layer.filters);
  for (let f = 0; f < layer.filters; f++) {
    let sum = 0;
    for (let k = f * size; k < (f + 1) * size; k++) sum += rows[k] * rows[k];
    norms[f] = Math.sqrt(sum);
  }
  return norms;
}

/** Scores each filter by its negated L1 norm, as stored in the analysis. */
export const l1Criterion: Criterion = ({ layer }) => layer.l1.map((norm) => -norm);

/** Scores each filter by its negated L2 norm. */
export const l2Criterion: Criterion = ({ layer }) => filterL2Norms(layer).map((norm) => -norm);
