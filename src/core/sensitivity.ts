// Per-layer sensitivity analysis: prune one convolution layer at a time at several ratios,
// leaving every other layer intact, and measure top-1 after each such prune. The curves show
// which layers tolerate pruning, and `proposeLayerRatios` turns them into per-layer ratios.
import type * as tf from '@tensorflow/tfjs';

import type { ModelAnalysis } from './analyze';
import { recalibrateBatchNorm, shouldRecalibrate } from './batchnorm';
import { PeakPruneError, throwIfCancelled } from './errors';
import { evaluateTop1, modelMetrics } from './metrics';
import { planPruning, toRemovalMap } from './plan';
import { rebuildPruned } from './rebuild';
import type { JobOptions, PruneMethod, PruningPlan, SampleSet } from './types';

export interface SensitivityOptions extends JobOptions {
  method: PruneMethod;
  /** Fractions of the pruned layer's filters to remove, each 0 ≤ R < 1. */
  ratios: readonly number[];
  /** Every pruned layer keeps at least this many filters. Default 1. */
  minChannels?: number;
  /** Seed of the `random` method. Default 0. */
  seed?: number;
  /**
   * Calibration images used to re-estimate BatchNormalization statistics after each prune that
   * removes filters. 0 or absent keeps the statistics as they were.
   */
  recalibrationImages?: number;
  /** Images for that re-estimation; required when `recalibrationImages` is above 0. */
  calibration?: SampleSet;
  /** Images per forward pass. */
  batchSize?: number;
  /** Layers to measure, in this order. Default: every analysed layer. */
  layers?: readonly string[];
  /** Receives each row as soon as it is measured; awaited before the next point starts. */
  onRow?: (row: SensitivityRow) => void | Promise<void>;
}

/** Figures of the model with one layer pruned at one ratio. */
export interface SensitivityRow {
  layer: string;
  ratio: number;
  params: number;
  flops: number;
  /** Top-1 accuracy in [0, 1] on the evaluation images. */
  top1: number;
}

/** CSV header of sensitivity.csv. */
export const SENSITIVITY_CSV_COLUMNS = ['layer', 'ratio', 'params', 'flops', 'top1'] as const;

/** Formats the rows as CSV with a header line; top-1 keeps full precision. */
export function formatSensitivityCsv(rows: readonly SensitivityRow[]): string {
  const lines = rows.map((row) => [row.layer, row.ratio, row.params, row.flops, row.top1].map(String).join(','));
  return [SENSITIVITY_CSV_COLUMNS.join(','), ...lines].join('\n') + '\n';
}

/** Allowance for floating-point error when an accuracy drop is compared with the maximum drop. */
const DROP_TOLERANCE = 1e-9;

/**
 * Prunes each layer alone at each ratio (every other layer at ratio 0), rebuilds the model,
 * re-estimates BatchNormalization statistics as `peakprune sweep` does, evaluates top-1 on
 * `evaluation` and disposes the pruned model. Rows come layer by layer, then ratio by ratio.
 * Checks for cancellation between points and inside each evaluation. Throws `invalid-options`
 * on an unknown layer name or when re-estimation is asked for without calibration images.
 */
export async function layerSensitivity(
  model: tf.LayersModel,
  analysis: ModelAnalysis,
  evaluation: SampleSet,
  options: SensitivityOptions,
): Promise<SensitivityRow[]> {
  const layers = options.layers ?? analysis.layers.map((layer) => layer.name);
  checkSensitivityOptions(analysis, layers, options);

  const rows: SensitivityRow[] = [];
  const total = layers.length * options.ratios.length;
  for (const layer of layers) {
    for (const ratio of options.ratios) {
      options.onProgress?.({ phase: 'sensitivity', done: rows.length / total, detail: `${layer} ratio ${ratio}` });
      throwIfCancelled(options.signal);
      const plan = planLayerRatios(analysis, { [layer]: ratio }, options);
      // The re-estimation's own progress would overwrite the per-point fraction, so it is not passed on.
      const pruned = await pruneAndRecalibrate(model, plan, { ...options, onProgress: undefined });
      try {
        const { top1 } = await evaluateTop1(pruned.model, evaluation, { batchSize: options.batchSize, signal: options.signal });
        const { params, flops } = modelMetrics(pruned.model);
        rows.push({ layer, ratio, params, flops, top1 });
      } finally {
        pruned.model.dispose();
      }
      await options.onRow?.(rows[rows.length - 1]);
    }
  }
  options.onProgress?.({ phase: 'sensitivity', done: 1 });
  return rows;
}

function checkSensitivityOptions(analysis: ModelAnalysis, layers: readonly string[], options: SensitivityOptions): void {
  const known = new Set(analysis.layers.map((layer) => layer.name));
  const unknown = layers.find((layer) => !known.has(layer));
  if (unknown !== undefined) {
    throw new PeakPruneError('invalid-options', `Layer "${unknown}" was not analysed; use one of ${[...known].join(', ')}.`);
  }
  if ((options.recalibrationImages ?? 0) > 0 && options.calibration === undefined) {
    throw new PeakPruneError(
      'invalid-options',
      'Re-estimating BatchNormalization statistics needs calibration images; pass them or set recalibrationImages to 0.',
    );
  }
}

/**
 * Plans a prune with the given per-layer ratios and ratio 0 for every other analysed layer.
 * Used for single-layer points and for the combined prune with proposed ratios.
 */
export function planLayerRatios(
  analysis: ModelAnalysis,
  layerRatios: Readonly<Record<string, number>>,
  options: Pick<SensitivityOptions, 'method' | 'minChannels' | 'seed' | 'recalibrationImages'>,
): PruningPlan {
  const ratios: Record<string, number> = {};
  for (const layer of analysis.layers) ratios[layer.name] = layerRatios[layer.name] ?? 0;
  return planPruning(
    analysis.layers,
    {
      method: options.method,
      ratio: 0,
      layerRatios: ratios,
      minChannels: options.minChannels ?? 1,
      seed: options.seed ?? 0,
      recalibrationImages: options.recalibrationImages,
    },
    {},
    analysis.geometry,
  );
}

/**
 * Rebuilds the model without the plan's filters and, when `shouldRecalibrate(plan)`,
 * re-estimates its BatchNormalization statistics on the calibration images. The caller disposes
 * the returned model. When the re-estimation fails, the model is disposed here and the error rethrown.
 */
export async function pruneAndRecalibrate(
  model: tf.LayersModel,
  plan: PruningPlan,
  options: Pick<SensitivityOptions, 'calibration' | 'batchSize' | 'signal' | 'onProgress'>,
): Promise<{ model: tf.LayersModel; recalibratedLayers: string[] }> {
  const pruned = rebuildPruned(model, toRemovalMap(plan));
  if (!shouldRecalibrate(plan)) return { model: pruned, recalibratedLayers: [] };
  if (options.calibration === undefined) {
    pruned.dispose();
    throw new PeakPruneError('invalid-options', 'Re-estimating BatchNormalization statistics needs calibration images; none were given.');
  }
  try {
    const recalibratedLayers = await recalibrateBatchNorm(pruned, options.calibration, {
      maxImages: plan.options.recalibrationImages,
      batchSize: options.batchSize,
      signal: options.signal,
      onProgress: options.onProgress,
    });
    return { model: pruned, recalibratedLayers };
  } catch (error) {
    pruned.dispose();
    throw error;
  }
}

/**
 * Returns, for every layer in `rows`, the largest ratio among `ratios` whose measured drop
 * (baselineTop1 − top1) is at most `maxDrop`, or 0 when no tested ratio stays within it. Drops
 * and `maxDrop` are fractions of accuracy (0.02 is two percentage points). The largest passing
 * ratio is taken even when a smaller ratio of the same layer failed, as can happen on a noisy
 * curve. Rows at ratios not listed in `ratios` are ignored.
 *
 * NOTE: each drop is measured with every other layer intact. Pruning several layers together
 * usually loses more than the sum of their single-layer drops, and sometimes less, so the
 * combined model must be measured on its own (`peakprune sensitivity` does so).
 */
export function proposeLayerRatios(
  rows: readonly SensitivityRow[],
  baselineTop1: number,
  maxDrop: number,
  ratios: readonly number[],
): Record<string, number> {
  if (!Number.isFinite(maxDrop) || maxDrop < 0) {
    throw new PeakPruneError('invalid-options', `The maximum accuracy drop ${maxDrop} is invalid; use a fraction of 0 or more, such as 0.02.`);
  }
  if (!Number.isFinite(baselineTop1)) {
    throw new PeakPruneError('invalid-options', `The baseline top-1 ${baselineTop1} is not a number; evaluate the unpruned model first.`);
  }
  const tested = new Set(ratios);
  const proposed: Record<string, number> = {};
  for (const row of rows) {
    proposed[row.layer] ??= 0;
    const withinDrop = baselineTop1 - row.top1 <= maxDrop + DROP_TOLERANCE;
    if (tested.has(row.ratio) && withinDrop && row.ratio > proposed[row.layer]) proposed[row.layer] = row.ratio;
  }
  return proposed;
}
