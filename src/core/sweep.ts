// The measuring loop of a method comparison, shared by `peakprune sweep` and the browser worker:
// for every method, seed (random only) and ratio, plan, rebuild, re-estimate BatchNormalization,
// evaluate top-1, optionally fine-tune on the calibration images and evaluate again, then dispose
// the pruned model.
import type * as tf from '@tensorflow/tfjs';

import type { LayerGeometry } from './analyze';
import { recalibrateBatchNorm, shouldRecalibrate } from './batchnorm';
import { throwIfCancelled } from './errors';
import { fineTune, type FineTuneSettings } from './finetune';
import { evaluateTop1, modelMetrics } from './metrics';
import { planPruning, toRemovalMap } from './plan';
import { rebuildPruned } from './rebuild';
import type { JobOptions, LayerAnalysis, PruneMethod, SampleSet } from './types';

/** One pruning of a sweep. */
export interface SweepRun {
  method: PruneMethod;
  /** Seed of the random method, or null for the methods that use none. */
  seed: number | null;
  ratio: number;
}

/** Figures of one pruned model. */
export interface SweepRow extends SweepRun {
  params: number;
  flops: number;
  bytes: number;
  /** Top-1 accuracy in [0, 1] on the evaluation images, before any fine-tuning. */
  top1: number;
  /** Top-1 on the evaluation images after fine-tuning; null when this run was not fine-tuned. */
  top1Finetuned: number | null;
  /** Fine-tuning epochs run (fewer than requested after an early stop); 0 when not fine-tuned. */
  finetuneEpochs: number;
  /**
   * Epoch whose weights the fine-tuned model kept (best held-out accuracy), 0 meaning the weights
   * from before training; null when not fine-tuned.
   */
  finetuneBestEpoch: number | null;
  /** Filters removed over all layers. */
  filtersRemoved: number;
  /** Wall-clock seconds for planning, rebuilding, re-estimating BatchNormalization, evaluating and fine-tuning. */
  seconds: number;
}

/** Methods, ratios and random seeds of one sweep. */
export interface SweepGrid {
  methods: readonly PruneMethod[];
  ratios: readonly number[];
  /** Seeds of the random method; the other methods run once with seed null. */
  seeds: readonly number[];
}

/** Inputs shared by every run of a sweep: the unpruned model, its analysis and the images. */
export interface SweepContext {
  model: tf.LayersModel;
  layers: readonly LayerAnalysis[];
  geometry?: readonly LayerGeometry[] | ReadonlyMap<string, LayerGeometry>;
  calibration: SampleSet;
  evaluation: SampleSet;
  minChannels: number;
  /** Calibration images for re-estimating BatchNormalization; 0 keeps the statistics. */
  recalibrationImages: number;
  batchSize: number;
  /** Fine-tuning after the first evaluation; absent or 0 epochs measures each pruning only as rebuilt. */
  fineTune?: SweepFineTune;
}

/** Fine-tuning of the sweep's pruned models, on the calibration images only. */
export interface SweepFineTune {
  /** Without `recalibrationImages`, the sweep's own count re-estimates BatchNormalization after every epoch. */
  settings: FineTuneSettings;
  /** Ratios whose runs are fine-tuned; every ratio when absent. */
  ratios?: readonly number[];
}

/** Checks whether `run` is fine-tuned under `fineTune`. */
export function isFineTuned(fineTune: SweepFineTune | undefined, run: SweepRun): boolean {
  if (fineTune === undefined || fineTune.settings.epochs === 0) return false;
  return fineTune.ratios === undefined || fineTune.ratios.includes(run.ratio);
}

/** Lists the runs method by method, then seed by seed (random only), then ratio by ratio. */
export function sweepRuns(grid: SweepGrid): SweepRun[] {
  const runs: SweepRun[] = [];
  for (const method of grid.methods) {
    const seeds = method === 'random' ? grid.seeds : [null];
    for (const seed of seeds) for (const ratio of grid.ratios) runs.push({ method, seed, ratio });
  }
  return runs;
}

/**
 * Plans, rebuilds, re-estimates BatchNormalization and evaluates one run, then disposes the
 * pruned model, also on failure or cancellation. A plan that removes nothing skips the
 * re-estimation, so its `top1` measures the unpruned weights and statistics exactly. When
 * `context.fineTune` covers the run, the pruned model is then fine-tuned on the calibration images (part of
 * them held out for early stopping) and evaluated again on the evaluation images.
 */
export async function measureSweepRun(context: SweepContext, run: SweepRun, job: JobOptions = {}): Promise<SweepRow> {
  const started = Date.now();
  const plan = planPruning(
    context.layers,
    {
      method: run.method,
      ratio: run.ratio,
      minChannels: context.minChannels,
      seed: run.seed ?? 0,
      recalibrationImages: context.recalibrationImages,
    },
    {},
    context.geometry,
  );
  const filtersRemoved = plan.layers.reduce((sum, layer) => sum + layer.removed.length, 0);
  throwIfCancelled(job.signal);
  const pruned = rebuildPruned(context.model, toRemovalMap(plan));
  try {
    if (shouldRecalibrate(plan)) {
      await recalibrateBatchNorm(pruned, context.calibration, {
        maxImages: context.recalibrationImages,
        batchSize: context.batchSize,
        signal: job.signal,
        onProgress: job.onProgress,
      });
    }
    const { top1 } = await evaluateTop1(pruned, context.evaluation, {
      batchSize: context.batchSize,
      signal: job.signal,
      onProgress: job.onProgress,
    });
    const fineTuneSettings = isFineTuned(context.fineTune, run) ? context.fineTune?.settings : undefined;
    const tuned = fineTuneSettings && (await fineTuneAndEvaluate(context, fineTuneSettings, pruned, job));
    const { params, flops, bytes } = modelMetrics(pruned);
    return {
      ...run,
      params,
      flops,
      bytes,
      top1,
      top1Finetuned: tuned?.top1 ?? null,
      finetuneEpochs: tuned?.epochsRun ?? 0,
      finetuneBestEpoch: tuned?.bestEpoch ?? null,
      filtersRemoved,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    pruned.dispose();
  }
}

async function fineTuneAndEvaluate(
  context: SweepContext,
  settings: FineTuneSettings,
  pruned: tf.LayersModel,
  job: JobOptions,
): Promise<{ top1: number; epochsRun: number; bestEpoch: number }> {
  const recalibrationImages = settings.recalibrationImages ?? context.recalibrationImages;
  const result = await fineTune(pruned, context.calibration, { ...settings, recalibrationImages, signal: job.signal, onProgress: job.onProgress });
  const { top1 } = await evaluateTop1(pruned, context.evaluation, {
    batchSize: context.batchSize,
    signal: job.signal,
    onProgress: job.onProgress,
  });
  return { top1, epochsRun: result.epochsRun, bestEpoch: result.bestEpoch };
}

/** CSV header. The first six columns are fixed, and later columns may be added at the end. */
export const SWEEP_CSV_COLUMNS = [
  'method',
  'seed',
  'ratio',
  'params',
  'flops',
  'top1',
  'bytes',
  'filters_removed',
  'seconds',
  'top1_finetuned',
  'finetune_epochs',
  'finetune_best_epoch',
] as const;

/**
 * Formats the rows as CSV with a header line. Top-1 keeps full precision, seconds get two
 * decimals, and the fine-tuning cells are empty for rows that were not fine-tuned.
 */
export function formatSweepCsv(rows: readonly SweepRow[]): string {
  const lines = rows.map((row) =>
    [
      row.method,
      row.seed === null ? '' : String(row.seed),
      String(row.ratio),
      String(row.params),
      String(row.flops),
      String(row.top1),
      String(row.bytes),
      String(row.filtersRemoved),
      row.seconds.toFixed(2),
      row.top1Finetuned === null ? '' : String(row.top1Finetuned),
      row.top1Finetuned === null ? '' : String(row.finetuneEpochs),
      row.finetuneBestEpoch === null ? '' : String(row.finetuneBestEpoch),
    ].join(','),
  );
  return [SWEEP_CSV_COLUMNS.join(','), ...lines].join('\n') + '\n';
}
