// The worker's method comparison: measures every method, seed and ratio on the loaded model and
// its analysis, optionally fine-tunes each pruned model on the calibration images, and hands each
// row to the page as soon as it is measured.
import { PeakPruneError, throwIfCancelled } from '../core/errors';
import { validateFineTuneSettings } from '../core/finetune';
import { measureSweepRun, sweepRuns, type SweepFineTune, type SweepRow } from '../core/sweep';
import { DEFAULT_RECALIBRATION_IMAGES, type JobOptions, type PruneMethod } from '../core/types';
import { EVALUATION_BATCH_SIZE } from './prune';
import { scaleProgress } from './progress';
import { requireAnalysis, requireModel, requireSamples } from './state';

/** Settings of one sweep in the worker. */
export interface WorkerSweepSettings {
  methods: readonly PruneMethod[];
  /** Fractions of each layer's filters to remove, each in [0, 1). */
  ratios: readonly number[];
  /** Seeds of the random method; the other methods run once. */
  seeds: readonly number[];
  /** Filters every pruned layer keeps at least; default 1. */
  minChannels?: number;
  /** Calibration images for re-estimating BatchNormalization; 0 keeps the statistics. Default DEFAULT_RECALIBRATION_IMAGES, as Prune uses. */
  recalibrationImages?: number;
  /** Fine-tuning of every run (or of the listed ratios) on the calibration images; absent or 0 epochs fine-tunes nothing. */
  fineTune?: SweepFineTune;
}

/** Totals of a finished sweep; the rows themselves went out through `onRow`. */
export interface SweepSummary {
  runs: number;
  seconds: number;
}

/**
 * Runs the sweep on the loaded model. Each row goes to `onRow`, which is awaited before the next
 * run starts, so a cancellation keeps the rows already sent. Progress covers the whole sweep, one equal share
 * per run, with the run's label as its phase.
 */
export async function sweepModel(settings: WorkerSweepSettings, job: JobOptions, onRow: (row: SweepRow) => void | Promise<void>): Promise<SweepSummary> {
  checkSettings(settings);
  const { model } = requireModel();
  const analysis = requireAnalysis();
  const context = {
    model,
    layers: analysis.layers,
    geometry: analysis.geometry,
    calibration: requireSamples('calibration'),
    evaluation: requireSamples('evaluation'),
    minChannels: settings.minChannels ?? 1,
    recalibrationImages: settings.recalibrationImages ?? DEFAULT_RECALIBRATION_IMAGES,
    batchSize: EVALUATION_BATCH_SIZE,
    fineTune: settings.fineTune,
  };
  const runs = sweepRuns(settings);
  const started = performance.now();
  for (const [index, run] of runs.entries()) {
    throwIfCancelled(job.signal);
    const label = `[${index + 1}/${runs.length}] ${run.method}${run.seed === null ? '' : ` seed ${run.seed}`} ratio ${run.ratio}`;
    const onProgress = job.onProgress && scaleProgress(job.onProgress, index / runs.length, (index + 1) / runs.length, label);
    await onRow(await measureSweepRun(context, run, { signal: job.signal, onProgress }));
  }
  return { runs: runs.length, seconds: (performance.now() - started) / 1000 };
}

function checkSettings(settings: WorkerSweepSettings): void {
  if (settings.methods.length === 0) {
    throw new PeakPruneError('invalid-options', 'No method is selected; tick at least one method to compare.');
  }
  if (settings.ratios.length === 0) {
    throw new PeakPruneError('invalid-options', 'No ratio is given; enter at least one ratio between 0 and 1.');
  }
  const badRatio = settings.ratios.find((ratio) => !(ratio >= 0 && ratio < 1));
  if (badRatio !== undefined) {
    throw new PeakPruneError('invalid-options', `Ratio ${badRatio} is invalid; use values from 0 up to, but not including, 1.`);
  }
  if (settings.methods.includes('random') && settings.seeds.length === 0) {
    throw new PeakPruneError('invalid-options', 'The random method needs at least one seed; enter integer seeds such as 0,1,2.');
  }
  if (settings.fineTune !== undefined) validateFineTuneSettings(settings.fineTune.settings);
  const fineTuneRatios = settings.fineTune?.ratios;
  const unknownRatio = fineTuneRatios?.find((ratio) => !settings.ratios.includes(ratio));
  if (unknownRatio !== undefined) {
    throw new PeakPruneError('invalid-options', `Fine-tuning ratio ${unknownRatio} is not among the sweep's ratios; list only swept ratios.`);
  }
}
