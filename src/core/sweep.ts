// The measuring loop of a method comparison, shared by `peakprune sweep` and the browser worker:
// for every method, seed (random only) and ratio, plan, rebuild, re-estimate BatchNormalization,
// evaluate top-1 and dispose the pruned model. Nothing is fine-tuned.
import type * as tf from '@tensorflow/tfjs';

import type { LayerGeometry } from './analyze';
import { recalibrateBatchNorm, shouldRecalibrate } from './batchnorm';
import { throwIfCancelled } from './errors';
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
  /** Top-1 accuracy in [0, 1] on the evaluation images. */
  top1: number;
  /** Filters removed over all layers. */
  filtersRemoved: number;
  /** Wall-clock seconds for planning, rebuilding, re-estimating BatchNormalization and evaluating. */
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
 * re-estimation, so its row measures the unpruned weights and statistics exactly.
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
    const { params, flops, bytes } = modelMetrics(pruned);
    return { ...run, params, flops, bytes, top1, filtersRemoved, seconds: (Date.now() - started) / 1000 };
  } finally {
    pruned.dispose();
  }
}

/** CSV header. The first six columns are fixed, and later columns may be added at the end. */
export const SWEEP_CSV_COLUMNS = ['method', 'seed', 'ratio', 'params', 'flops', 'top1', 'bytes', 'filters_removed', 'seconds'] as const;

/** Formats the rows as CSV with a header line. Top-1 keeps full precision, seconds get two decimals. */
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
    ].join(','),
  );
  return [SWEEP_CSV_COLUMNS.join(','), ...lines].join('\n') + '\n';
}
