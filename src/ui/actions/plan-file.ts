// Plan files: a small JSON file that reproduces one pruning of one model. It records the method,
// ratios, options, hand-picked centers, hand overrides and the resulting removed filters, plus a
// fingerprint of the model it was made for.
import { PeakPruneError } from '../../core/errors';
import { planPruning, type FilterOverrides } from '../../core/plan';
import type { DpcOptions, LayerAnalysis, LayerPlan, PlanOptions, PruningPlan } from '../../core/types';
import type { ModelInfo } from '../../worker/types';
import { bridge } from '../bridge';
import { downloadBlob } from '../download';
import { describeError } from '../messages';
import { useStore } from '../store';
import { planKey } from '../store/plan';

export const PLAN_FORMAT = 'peakprune-plan-1';

/** The model a plan was made for, as the page's ModelInfo describes it. */
export interface PlanModel {
  name: string;
  source: string;
  inputShape: (number | null)[];
  /** FNV-1a hash (8 hex digits) of the layer names, classes, output shapes and parameter counts. */
  fingerprint: string;
  /** Prunable layers and their filter counts. */
  layers: { name: string; filters: number }[];
}

export interface PlanFile {
  format: typeof PLAN_FORMAT;
  createdAt: string;
  model: PlanModel;
  options: PlanOptions;
  /** Clustering options of each layer, hand-picked centers included. */
  dpc: Record<string, DpcOptions>;
  overrides: Record<string, FilterOverrides>;
  /** The removed filters the plan gave; an import reproduces exactly these. */
  layers: LayerPlan[];
}

/**
 * Returns an FNV-1a 32-bit hash of the model's architecture. Weights do not enter it, so two
 * trainings of one architecture share a fingerprint.
 */
export function modelFingerprint(info: Pick<ModelInfo, 'inputShape' | 'layers'>): string {
  const text = JSON.stringify([info.inputShape, info.layers.map((layer) => [layer.name, layer.className, layer.outputShape, layer.params])]);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

export function buildPlanFile(info: ModelInfo, plan: PruningPlan, dpc: Record<string, DpcOptions>, overrides: Record<string, FilterOverrides>, createdAt: Date): PlanFile {
  return {
    format: PLAN_FORMAT,
    createdAt: createdAt.toISOString(),
    model: {
      name: info.name,
      source: info.source,
      inputShape: info.inputShape,
      fingerprint: modelFingerprint(info),
      layers: plan.layers.map((layer) => ({ name: layer.name, filters: layer.filters })),
    },
    options: plan.options,
    dpc,
    overrides,
    layers: plan.layers.map((layer) => ({ name: layer.name, filters: layer.filters, removed: [...layer.removed] })),
  };
}

/**
 * Checks a plan file's structure. Throws `invalid-options` naming the file and the first bad
 * field, so a truncated or hand-edited file is reported before anything changes.
 */
export function parsePlanFile(text: string, fileName: string): PlanFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PeakPruneError('invalid-options', `${fileName} is not valid JSON (${(error as Error).message}); export the plan again.`);
  }
  const fail = (field: string, expected: string): never => {
    throw new PeakPruneError('invalid-options', `${fileName}: field "${field}" is missing or invalid; expected ${expected}. Export the plan again.`);
  };
  const file = (typeof json === 'object' && json !== null ? json : fail('(root)', 'a JSON object')) as Record<string, unknown>;
  if (file.format !== PLAN_FORMAT) fail('format', `"${PLAN_FORMAT}"`);
  const model = file.model as Record<string, unknown> | undefined;
  if (typeof model !== 'object' || model === null || typeof model.fingerprint !== 'string' || !Array.isArray(model.layers)) {
    fail('model', 'an object with "fingerprint" and "layers"');
  }
  const options = file.options as Record<string, unknown> | undefined;
  if (typeof options !== 'object' || options === null || typeof options.method !== 'string' || typeof options.ratio !== 'number') {
    fail('options', 'an object with "method" and "ratio"');
  }
  if (typeof file.dpc !== 'object' || file.dpc === null) fail('dpc', 'an object of clustering options per layer');
  if (typeof file.overrides !== 'object' || file.overrides === null) fail('overrides', 'an object of kept and removed filters per layer');
  if (!Array.isArray(file.layers)) fail('layers', 'an array of { name, filters, removed }');
  for (const [i, layer] of (file.layers as unknown[]).entries()) {
    const entry = layer as Record<string, unknown>;
    const valid =
      typeof entry === 'object' &&
      entry !== null &&
      typeof entry.name === 'string' &&
      Number.isInteger(entry.filters) &&
      Array.isArray(entry.removed) &&
      entry.removed.every((f) => Number.isInteger(f) && f >= 0 && f < (entry.filters as number));
    if (!valid) fail(`layers[${i}]`, '{ name, filters, removed } with removed filter indices below filters');
  }
  return file as unknown as PlanFile;
}

/**
 * Throws `invalid-options` when the plan was made for another model: a different fingerprint,
 * naming the first prunable layer that is missing or has another filter count.
 */
export function checkPlanFitsModel(file: PlanFile, info: ModelInfo, layers: readonly { name: string; filters: number }[], fileName: string): void {
  if (file.model.fingerprint === modelFingerprint(info)) return;
  const current = new Map(layers.map((layer) => [layer.name, layer.filters]));
  const differing = file.layers.find((layer) => current.get(layer.name) !== layer.filters);
  const detail =
    differing === undefined
      ? 'its layers differ in class, shape or parameter count'
      : current.has(differing.name)
        ? `its layer ${differing.name} has ${differing.filters} filters, but the loaded model's has ${current.get(differing.name)}`
        : `its layer ${differing.name} is not in the loaded model`;
  throw new PeakPruneError(
    'invalid-options',
    `${fileName} was made for model "${file.model.name}" (${file.model.source}), not the loaded "${info.name}" (${info.source}): ${detail}. Load that model, then import the plan.`,
  );
}

/**
 * Returns the overrides that turn the plan the options give into the file's removed filters:
 * filters the file removes but the options keep are removed by hand, and the reverse kept.
 */
export function overridesReproducing(planned: PruningPlan, target: readonly LayerPlan[]): Record<string, FilterOverrides> {
  const overrides: Record<string, FilterOverrides> = {};
  for (const layer of planned.layers) {
    const removed = target.find((entry) => entry.name === layer.name)?.removed ?? [];
    const remove = removed.filter((f) => !layer.removed.includes(f));
    const keep = layer.removed.filter((f) => !removed.includes(f));
    if (remove.length > 0 || keep.length > 0) overrides[layer.name] = { keep, remove };
  }
  return overrides;
}

/** Downloads the current plan as plan.json. */
export function exportPlan(): void {
  const { model, plan, layerDpc, overrides } = useStore.getState();
  if (model === undefined || plan === undefined) return;
  const file = buildPlanFile(model, plan, layerDpc, overrides, new Date());
  downloadBlob(new Blob([`${JSON.stringify(file, null, 2)}\n`], { type: 'application/json' }), 'plan.json');
}

/**
 * Reads a plan file and reproduces its pruning on the loaded, analysed model: the clustering
 * options and hand-picked centers of each layer, the plan options, and overrides that make the
 * removed filters exactly the file's. The current plan stays when the file is rejected.
 */
export async function importPlan(file: File): Promise<void> {
  const store = useStore.getState();
  try {
    const parsed = parsePlanFile(await file.text(), file.name);
    if (store.model === undefined || store.layers.length === 0) {
      throw new PeakPruneError('invalid-options', `Load and analyse the model ${file.name} was made for before importing it.`);
    }
    checkPlanFitsModel(parsed, store.model, store.layers, file.name);
    await applyPlanFile(parsed);
  } catch (error) {
    useStore.getState().showError(describeError(error));
  }
}

async function applyPlanFile(file: PlanFile): Promise<void> {
  const layers = await applyClustering(file.dpc);
  if (layers === undefined) return;
  const planned = planPruning(layers, file.options, file.overrides);
  const overrides = { ...file.overrides };
  for (const [layer, extra] of Object.entries(overridesReproducing(planned, file.layers))) {
    const base = overrides[layer] ?? { keep: [], remove: [] };
    overrides[layer] = {
      keep: [...base.keep.filter((f) => !extra.remove.includes(f)), ...extra.keep],
      remove: [...base.remove.filter((f) => !extra.keep.includes(f)), ...extra.remove],
    };
  }
  useStore.setState({ planOptions: file.options, overrides });
  useStore.getState().replan();
  const plan = useStore.getState().plan;
  if (planKey(plan) !== planKey({ options: file.options, layers: file.layers })) {
    throw new PeakPruneError('invalid-options', 'The imported plan could not be reproduced exactly on this model; check the layer ratios and minimum channels.');
  }
}

/**
 * Reclusters every analysed layer named in `dpc` with those options (hand-picked centers
 * included) and returns the updated layers, or undefined when a new analysis replaced the one
 * this started on. Layers not analysed are skipped.
 */
export async function applyClustering(dpc: Readonly<Record<string, DpcOptions>>): Promise<LayerAnalysis[] | undefined> {
  const analysisId = useStore.getState().analysisId;
  const analysed = new Set(useStore.getState().layers.map((layer) => layer.name));
  for (const [layer, options] of Object.entries(dpc)) {
    if (!analysed.has(layer)) continue;
    const result = await bridge.recluster(layer, options);
    if (useStore.getState().analysisId !== analysisId) return undefined;
    useStore.getState().setLayerClusters(layer, options, result);
  }
  return useStore.getState().layers;
}
