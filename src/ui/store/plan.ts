import { planPruning, type FilterOverrides } from '../../core/plan';
import { DEFAULT_RECALIBRATION_IMAGES, type LayerAnalysis, type PlanOptions, type PruningPlan } from '../../core/types';
import { describeError } from '../messages';
import type { SliceCreator } from './index';

export const DEFAULT_PLAN_OPTIONS: PlanOptions = {
  method: 'dpc-apoz',
  ratio: 0.3,
  minChannels: 1,
  recalibrationImages: DEFAULT_RECALIBRATION_IMAGES,
};

/** Largest pruning ratio the controls offer. */
export const MAX_RATIO = 0.9;

/**
 * The pruning plan, recomputed on the page whenever its inputs change: planPruning is pure
 * and cheap, and needs only the analysis the page already holds.
 */
export interface PlanSlice {
  planOptions: PlanOptions;
  /** Filters kept or removed by hand, per layer. */
  overrides: Record<string, FilterOverrides>;
  /** Current plan; absent before the analysis or when the options are invalid. */
  plan?: PruningPlan;
  /** Reason no plan could be made, or the last hand change was rejected. */
  planError?: string;
  setPlanOptions: (patch: Partial<PlanOptions>) => void;
  /** Sets one layer's ratio; undefined returns the layer to the global ratio. */
  setLayerRatio: (name: string, ratio: number | undefined) => void;
  /** Replaces every per-layer ratio at once; layers not listed return to the global ratio. */
  setLayerRatios: (layerRatios: Readonly<Record<string, number>>) => void;
  /** Keeps a planned-away filter, or removes a kept one, by hand. */
  toggleFilter: (layer: string, filter: number) => void;
  resetOverrides: (layer: string) => void;
  resetPlan: () => void;
  replan: () => void;
}

export const createPlanSlice: SliceCreator<PlanSlice> = (set, get) => {
  /** Plans with the given inputs and installs them, or keeps the old ones and stores the reason in planError. */
  const tryPlan = (planOptions: PlanOptions, overrides: Record<string, FilterOverrides>): void => {
    const layers = get().layers;
    if (layers.length === 0) {
      set({ planOptions, overrides, plan: undefined, planError: undefined });
      return;
    }
    try {
      set({ planOptions, overrides, plan: planPruning(layers, planOptions, overrides), planError: undefined });
    } catch (error) {
      set({ planError: describeError(error) });
    }
  };

  return {
    planOptions: DEFAULT_PLAN_OPTIONS,
    overrides: {},
    setPlanOptions: (patch) => tryPlan({ ...get().planOptions, ...patch }, get().overrides),
    setLayerRatio: (name, ratio) => {
      const layerRatios = { ...get().planOptions.layerRatios };
      if (ratio === undefined) delete layerRatios[name];
      else layerRatios[name] = ratio;
      tryPlan({ ...get().planOptions, layerRatios }, get().overrides);
    },
    setLayerRatios: (layerRatios) => tryPlan({ ...get().planOptions, layerRatios: { ...layerRatios } }, get().overrides),
    toggleFilter: (layer, filter) => {
      const overrides = toggledOverrides(get().layers, get().planOptions, get().overrides, layer, filter);
      if (overrides !== undefined) tryPlan(get().planOptions, overrides);
    },
    resetOverrides: (layer) => {
      const overrides = { ...get().overrides };
      delete overrides[layer];
      tryPlan(get().planOptions, overrides);
    },
    resetPlan: () => set({ planOptions: { ...get().planOptions, layerRatios: undefined }, overrides: {}, plan: undefined, planError: undefined }),
    replan: () => tryPlan(get().planOptions, get().overrides),
  };
};

function isRemoved(plan: PruningPlan, layer: string, filter: number): boolean {
  return plan.layers.find((entry) => entry.name === layer)?.removed.includes(filter) ?? false;
}

/**
 * Returns the overrides that flip one filter between kept and removed. When dropping an
 * earlier hand change already flips it (the method's own choice is the wanted state), the
 * hand change is dropped rather than a second one added. Returns undefined when no plan can be made.
 */
function toggledOverrides(
  layers: readonly LayerAnalysis[],
  options: PlanOptions,
  overrides: Readonly<Record<string, FilterOverrides>>,
  layer: string,
  filter: number,
): Record<string, FilterOverrides> | undefined {
  const current = overrides[layer] ?? { keep: [], remove: [] };
  let removedNow: boolean;
  try {
    removedNow = isRemoved(planPruning(layers, options, overrides), layer, filter);
  } catch {
    return undefined;
  }
  const without: FilterOverrides = { keep: current.keep.filter((f) => f !== filter), remove: current.remove.filter((f) => f !== filter) };
  const cleared = { ...overrides, [layer]: without };
  try {
    if (isRemoved(planPruning(layers, options, cleared), layer, filter) !== removedNow) return cleared;
  } catch {
    // Dropping the hand change gives no valid plan, so add the opposite one below.
  }
  const entry = removedNow ? { ...without, keep: [...without.keep, filter] } : { ...without, remove: [...without.remove, filter] };
  return { ...overrides, [layer]: entry };
}

/** Removed filters per layer in one string, to tell whether a result still matches the plan. */
export function planKey(plan: PruningPlan | undefined): string {
  if (plan === undefined) return '';
  return JSON.stringify(plan.layers.map((layer) => [layer.name, layer.removed]));
}

/** Total filters and removed filters over all layers of a plan. */
export function planTotals(plan: PruningPlan): { filters: number; removed: number } {
  let filters = 0;
  let removed = 0;
  for (const layer of plan.layers) {
    filters += layer.filters;
    removed += layer.removed.length;
  }
  return { filters, removed };
}
