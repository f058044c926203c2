import * as tf from '@tensorflow/tfjs';

import { fineTune, type BatchMetrics, type EpochMetrics, type FineTuneReport, type FineTuneSettings } from '../core/finetune';
import { PeakPruneError } from '../core/errors';
import { evaluateTop1 } from '../core/metrics';
import type { JobOptions } from '../core/types';
import { EVALUATION_BATCH_SIZE } from './prune';
import { scaleProgress } from './progress';
import { requireSamples, state } from './state';

/** Share of the job's progress bar given to training; the rest is the final evaluation. */
const TRAINING_SHARE = 0.9;

/** Live metrics sent to the page while fine-tuning runs. */
export type FineTuneMetrics = ({ kind: 'batch' } & BatchMetrics) | ({ kind: 'epoch' } & EpochMetrics);

/**
 * Fine-tunes the last pruned model on the calibration images (never the evaluation images),
 * then measures its top-1 on the evaluation images. On success the fine-tuned model is the one
 * exported and report.json gains a `fineTune` entry. On failure or cancellation the pruned
 * weights from before the call are restored.
 */
export async function fineTunePrunedModel(
  settings: FineTuneSettings,
  job: JobOptions,
  onMetrics?: (metrics: FineTuneMetrics) => void,
): Promise<FineTuneReport> {
  const pruned = state.pruned;
  if (pruned === undefined) {
    throw new PeakPruneError('invalid-options', 'No pruned model exists yet; press Prune before fine-tuning.');
  }
  const calibration = requireSamples('calibration');
  const evaluation = requireSamples('evaluation');
  const model = pruned.model;
  const saved = model.getWeights().map((weight) => tf.clone(weight));
  try {
    const result = await fineTune(model, calibration, {
      ...settings,
      signal: job.signal,
      onProgress: job.onProgress && scaleProgress(job.onProgress, 0, TRAINING_SHARE, 'fine-tuning on the calibration images'),
      onBatch: (metrics) => onMetrics?.({ kind: 'batch', ...metrics }),
      onEpoch: (metrics) => onMetrics?.({ kind: 'epoch', ...metrics }),
    });
    const after = await evaluateTop1(model, evaluation, {
      batchSize: EVALUATION_BATCH_SIZE,
      signal: job.signal,
      onProgress: job.onProgress && scaleProgress(job.onProgress, TRAINING_SHARE, 1, 'evaluating the fine-tuned model'),
    });
    const report: FineTuneReport = { ...result, top1Before: pruned.report.fineTune?.top1After ?? pruned.report.after.top1, top1After: after.top1 };
    // TODO: a second fine-tuning run replaces the first one's entry; report.json keeps only the last.
    pruned.report = { ...pruned.report, fineTune: report };
    return report;
  } catch (error) {
    model.setWeights(saved);
    throw error;
  } finally {
    saved.forEach((weight) => weight.dispose());
  }
}
