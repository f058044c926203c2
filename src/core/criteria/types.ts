// The contract every pruning criterion implements.

import type { LayerAnalysis } from '../types';

/** Layer data that a criterion may read. */
export interface CriterionInput {
  layer: LayerAnalysis;
  /**
   * Pairwise filter distances of the layer, row-major n × n, in the metric the analysis
   * clustered with. Present only when the caller passed the analysis geometry.
   */
  distances?: Float64Array;
  /** Seed of the random criterion. */
  seed: number;
}

/** Scores every filter of one layer. A higher score means a less important filter. */
export type Criterion = (input: CriterionInput) => Float64Array;
