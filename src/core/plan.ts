import { PeakPruneError } from './errors';
import { removalCount, selectByNorm, selectDpcApoz } from './select';
import type { LayerAnalysis, LayerPlan, PlanOptions, PruningPlan, RemovalMap } from './types';

/**
 * Chooses the filters to remove in every analysed layer. Hand overrides (filters the user
 * forces to stay or to go) are applied after the method's choice; they never empty a layer.
 */
export function planPruning(
  layers: readonly LayerAnalysis[],
  options: PlanOptions,
  overrides: Readonly<Record<string, FilterOverrides>> = {},
): PruningPlan {
  return { options, layers: layers.map((layer) => planLayer(layer, options, overrides[layer.name])) };
}

/** Filters a user keeps or removes by hand, whatever the method chose. */
export interface FilterOverrides {
  keep: readonly number[];
  remove: readonly number[];
}

function planLayer(layer: LayerAnalysis, options: PlanOptions, overrides?: FilterOverrides): LayerPlan {
  const ratio = options.layerRatios?.[layer.name] ?? options.ratio;
  const count = removalCount(layer.filters, ratio, options.minChannels);
  let removed: number[];
  switch (options.method) {
    case 'dpc-apoz':
      removed = selectDpcApoz(layer.dpc.labels, layer.dpc.centers.length, importanceScore(layer), count);
      break;
    case 'l1':
      removed = selectByNorm(layer.l1, count);
      break;
    default: {
      const unknown: never = options.method;
      throw new PeakPruneError('invalid-options', `Unknown pruning method "${String(unknown)}"; use dpc-apoz or l1.`);
    }
  }
  return { name: layer.name, filters: layer.filters, removed: applyOverrides(removed, layer.filters, overrides) };
}

/**
 * Score where higher means less important: APoZ where the activation outputs exact zeros,
 * otherwise the negated mean absolute activation.
 */
export function importanceScore(layer: LayerAnalysis): Float64Array {
  if (layer.apoz.applies) return layer.apoz.apoz;
  return layer.apoz.meanAbs.map((value) => -value);
}

function applyOverrides(removed: number[], filters: number, overrides?: FilterOverrides): number[] {
  if (overrides === undefined) return removed;
  const set = new Set(removed);
  for (const f of overrides.remove) if (f >= 0 && f < filters) set.add(f);
  for (const f of overrides.keep) set.delete(f);
  if (set.size >= filters) {
    throw new PeakPruneError('invalid-options', `The hand-picked removals would remove all ${filters} filters; keep at least one.`);
  }
  return [...set].sort((a, b) => a - b);
}

/** Returns the removed filters per layer, leaving out layers that lose nothing. */
export function toRemovalMap(plan: PruningPlan): RemovalMap {
  const map: Record<string, number[]> = {};
  for (const layer of plan.layers) if (layer.removed.length > 0) map[layer.name] = layer.removed;
  return map;
}
