import type { LayerGeometry } from './analyze';
import { selectFilters } from './criteria';
import { PeakPruneError } from './errors';
import { removalCount } from './select';
import type { LayerAnalysis, LayerPlan, PlanOptions, PruningPlan, RemovalMap } from './types';

export { importanceScore } from './criteria';

/**
 * Chooses the filters to remove in every analysed layer. Hand overrides (filters the user
 * forces to stay or to go) are applied after the method's choice; they never empty a layer.
 * The density-peak method needs each layer's distance matrix, from `geometry` or else from the
 * layer analysis itself; planning it without either throws `invalid-options`.
 */
export function planPruning(
  layers: readonly LayerAnalysis[],
  options: PlanOptions,
  overrides: Readonly<Record<string, FilterOverrides>> = {},
  geometry?: readonly LayerGeometry[] | ReadonlyMap<string, LayerGeometry>,
): PruningPlan {
  checkRecalibrationImages(options.recalibrationImages);
  const byName = geometry === undefined || isMap(geometry) ? geometry : new Map(geometry.map((g) => [g.name, g]));
  return {
    options,
    layers: layers.map((layer) => planLayer(layer, options, overrides[layer.name], byName?.get(layer.name)?.distances ?? layer.distances)),
  };
}

function checkRecalibrationImages(images: number | undefined): void {
  if (images === undefined || images === 0 || (Number.isInteger(images) && images >= 2)) return;
  throw new PeakPruneError(
    'invalid-options',
    `Re-estimating BatchNormalization statistics needs at least 2 images, but ${images} was set; use 0 to turn it off or a whole number of 2 or more.`,
  );
}

function isMap<K, V>(value: readonly V[] | ReadonlyMap<K, V>): value is ReadonlyMap<K, V> {
  return !Array.isArray(value);
}

/** Filters a user keeps or removes by hand, whatever the method chose. */
export interface FilterOverrides {
  keep: readonly number[];
  remove: readonly number[];
}

function planLayer(layer: LayerAnalysis, options: PlanOptions, overrides?: FilterOverrides, distances?: Float64Array): LayerPlan {
  const ratio = options.layerRatios?.[layer.name] ?? options.ratio;
  const count = removalCount(layer.filters, ratio, options.minChannels);
  const removed = selectFilters(options.method, { layer, distances, seed: options.seed ?? 0 }, count);
  const chosen = applyOverrides(removed, layer.filters, overrides);
  return { name: layer.name, filters: layer.filters, removed: keepEveryMember(chosen, layer.memberChannels) };
}

/**
 * Gives back one channel to each member of a coupled group that would lose all its filters. Only
 * a member that produces part of the group's channels (behind a Concatenate) can be emptied,
 * because the lead produces every channel and the removal count always leaves it one.
 */
function keepEveryMember(removed: number[], memberChannels: readonly number[][] | undefined): number[] {
  if (memberChannels === undefined) return removed;
  const set = new Set(removed);
  for (const channels of memberChannels) {
    if (channels.every((channel) => set.has(channel))) set.delete(channels[0]);
  }
  return [...set].sort((a, b) => a - b);
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
