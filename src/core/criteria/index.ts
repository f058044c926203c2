// Pruning methods, each a criterion (one score per filter, higher = less important) paired
// with a selection policy (the whole layer, or every DPC cluster by quota).

import { PeakPruneError } from '../errors';
import type { PruneMethod } from '../types';
import { activationCriterion } from './activation';
import { densityPeakCriterion } from './density-peak';
import { fpgmCriterion } from './fpgm';
import { l1Criterion, l2Criterion } from './norms';
import { selectLayerWide, selectPerCluster, type SelectionPolicy } from './policies';
import { randomCriterion } from './random';
import type { Criterion, CriterionInput } from './types';

export type { Criterion, CriterionInput } from './types';
export type { SelectionPolicy } from './policies';
export { importanceScore } from './activation';

export interface PruneMethodDefinition {
  criterion: Criterion;
  policy: SelectionPolicy;
  /** Whether the criterion reads the layer's distance matrix (CriterionInput.distances). */
  needsDistances: boolean;
  /** One line for help texts: what the method removes. */
  summary: string;
}

/** Every method, in the order help texts and the page list them. */
export const PRUNE_METHODS: readonly PruneMethod[] = ['dpc-apoz', 'l1', 'l2', 'apoz', 'random', 'fpgm', 'density-peak', 'dpc-l1'];

/** Returns the criterion and policy of a method. Throws `invalid-options` on an unknown name. */
export function methodDefinition(method: PruneMethod): PruneMethodDefinition {
  const layerWide = { policy: selectLayerWide, needsDistances: false };
  const perCluster = { policy: selectPerCluster, needsDistances: false };
  switch (method) {
    case 'dpc-apoz':
      return { ...perCluster, criterion: activationCriterion, summary: 'inside each DPC cluster, the filters of highest APoZ' };
    case 'l1':
      return { ...layerWide, criterion: l1Criterion, summary: 'the filters of smallest L1 norm in the layer' };
    case 'l2':
      return { ...layerWide, criterion: l2Criterion, summary: 'the filters of smallest L2 norm in the layer' };
    case 'apoz':
      return { ...layerWide, criterion: activationCriterion, summary: 'the filters of highest APoZ in the layer, without clusters' };
    case 'random':
      return { ...layerWide, criterion: randomCriterion, summary: 'random filters, seeded' };
    case 'fpgm':
      return { ...layerWide, criterion: fpgmCriterion, summary: "the filters nearest the geometric median of the layer's filters" };
    case 'density-peak':
      return {
        policy: selectLayerWide,
        needsDistances: true,
        criterion: densityPeakCriterion,
        summary: 'the filters nearest the density peak, a few per step',
      };
    case 'dpc-l1':
      return { ...perCluster, criterion: l1Criterion, summary: 'inside each DPC cluster, the filters of smallest L1 norm' };
    default: {
      const unknown: never = method;
      throw new PeakPruneError('invalid-options', `Unknown pruning method "${String(unknown)}"; use ${PRUNE_METHODS.join(', ')}.`);
    }
  }
}

/** Scores the layer's filters with the method's criterion and returns the `count` its policy removes, ascending. */
export function selectFilters(method: PruneMethod, input: CriterionInput, count: number): number[] {
  const { criterion, policy } = methodDefinition(method);
  const scores = criterion(input);
  if (scores.length !== input.layer.filters) {
    throw new PeakPruneError('internal', `Method ${method} gave ${scores.length} scores for the ${input.layer.filters} filters of layer "${input.layer.name}".`);
  }
  return policy(scores, input.layer.dpc, count);
}
