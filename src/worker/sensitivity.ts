// The worker's per-layer sensitivity analysis: prunes one analysed layer at a time at each ratio
// on the loaded model and hands each row to the page as soon as it is measured.
import { PeakPruneError } from '../core/errors';
import { layerSensitivity, type SensitivityRow } from '../core/sensitivity';
import { DEFAULT_RECALIBRATION_IMAGES, type JobOptions, type PruneMethod } from '../core/types';
import { EVALUATION_BATCH_SIZE, originalTop1 } from './prune';
import { scaleProgress } from './progress';
import { requireAnalysis, requireModel, requireSamples } from './state';

/** Settings of one sensitivity analysis in the worker. */
export interface WorkerSensitivitySettings {
  method: PruneMethod;
  /** Fractions of one layer's filters to remove, each in [0, 1). */
  ratios: readonly number[];
  /** Filters every pruned layer keeps at least; default 1. */
  minChannels?: number;
  /** Seed of the random method; default 0. */
  seed?: number;
  /** Calibration images for re-estimating BatchNormalization; 0 keeps the statistics. Default DEFAULT_RECALIBRATION_IMAGES. */
  recalibrationImages?: number;
}

/** Totals of a finished analysis; the rows themselves went out through `onRow`. */
export interface SensitivitySummary {
  /** Top-1 of the unpruned model on the evaluation images, the reference for every drop. */
  baselineTop1: number;
  rows: number;
  seconds: number;
}

/** Message to the page while the analysis runs: the unpruned top-1 first, then one per row. */
export type SensitivityEvent = { kind: 'baseline'; top1: number } | { kind: 'row'; row: SensitivityRow };

/** Share of the progress bar given to measuring the unpruned model when it is not cached yet. */
const BASELINE_SHARE = 0.1;

/**
 * Measures the unpruned top-1 (cached after the first call) and sends it, then prunes each
 * analysed layer alone at each ratio and sends each row. `onEvent` is awaited before the work
 * goes on, so a cancellation keeps the rows already sent.
 */
export async function sensitivityOfModel(
  settings: WorkerSensitivitySettings,
  job: JobOptions,
  onEvent: (event: SensitivityEvent) => void | Promise<void>,
): Promise<SensitivitySummary> {
  checkSettings(settings);
  const started = performance.now();
  const { model } = requireModel();
  const analysis = requireAnalysis();
  const calibration = requireSamples('calibration');
  const evaluation = requireSamples('evaluation');

  const baseline = await originalTop1({
    signal: job.signal,
    onProgress: job.onProgress && scaleProgress(job.onProgress, 0, BASELINE_SHARE, 'evaluating the unpruned model'),
  });
  await onEvent({ kind: 'baseline', top1: baseline.top1 });

  const rows = await layerSensitivity(model, { layers: analysis.layers, geometry: [...analysis.geometry.values()] }, evaluation, {
    method: settings.method,
    ratios: settings.ratios,
    minChannels: settings.minChannels ?? 1,
    seed: settings.seed ?? 0,
    recalibrationImages: settings.recalibrationImages ?? DEFAULT_RECALIBRATION_IMAGES,
    calibration,
    batchSize: EVALUATION_BATCH_SIZE,
    signal: job.signal,
    onProgress: job.onProgress && scaleProgress(job.onProgress, BASELINE_SHARE, 1, 'pruning one layer at a time'),
    onRow: (row) => onEvent({ kind: 'row', row }),
  });
  return { baselineTop1: baseline.top1, rows: rows.length, seconds: (performance.now() - started) / 1000 };
}

function checkSettings(settings: WorkerSensitivitySettings): void {
  if (settings.ratios.length === 0) {
    throw new PeakPruneError('invalid-options', 'No ratio is given; enter at least one ratio between 0 and 1.');
  }
  const badRatio = settings.ratios.find((ratio) => !(ratio >= 0 && ratio < 1));
  if (badRatio !== undefined) {
    throw new PeakPruneError('invalid-options', `Ratio ${badRatio} is invalid; use values from 0 up to, but not including, 1.`);
  }
}
