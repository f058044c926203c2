import type * as tf from '@tensorflow/tfjs';

import { recalibrateBatchNorm, shouldRecalibrate } from '../core/batchnorm';
import { throwIfCancelled } from '../core/errors';
import { evaluateTop1, modelMetrics } from '../core/metrics';
import { planPruning, toRemovalMap, type FilterOverrides } from '../core/plan';
import { rebuildPruned } from '../core/rebuild';
import { buildReport, type ModelFigures } from '../core/report';
import type { EvaluationResult, JobOptions, PlanOptions, SampleSet } from '../core/types';
import { scaleProgress } from './progress';
import { replacePruned, requireAnalysis, requireModel, requireSamples, state } from './state';
import type { PruneOutcome } from './types';

/** Images per inference batch when measuring top-1. */
export const EVALUATION_BATCH_SIZE = 64;

/** Measures the loaded model's top-1 on the evaluation images once, then returns the cached value. */
export async function originalTop1(job: JobOptions): Promise<EvaluationResult> {
  if (state.originalTop1 !== undefined) return state.originalTop1;
  const { model } = requireModel();
  const result = await evaluate(model, requireSamples('evaluation'), job);
  state.originalTop1 = result;
  return result;
}

/**
 * Plans, rebuilds and evaluates a pruned model. The previous pruned model is replaced only
 * when every step succeeded; a failure or cancellation disposes the half-made new one.
 */
export async function pruneModel(
  options: PlanOptions,
  overrides: Readonly<Record<string, FilterOverrides>>,
  job: JobOptions,
): Promise<PruneOutcome> {
  const { model, info } = requireModel();
  const analysis = requireAnalysis();
  const evaluation = requireSamples('evaluation');
  const plan = planPruning(analysis.layers, options, overrides);

  const alreadyMeasured = state.originalTop1 !== undefined;
  const split = alreadyMeasured ? 0 : 0.5;
  const top1Before = await originalTop1({ ...job, onProgress: scaled(job, 0, split, 'evaluating the original model') });
  throwIfCancelled(job.signal);

  job.onProgress?.({ phase: 'rebuilding the model', done: split });
  const pruned = rebuildPruned(model, toRemovalMap(plan));
  let top1After: EvaluationResult;
  let recalibratedLayers: string[] = [];
  try {
    const recalibrate = shouldRecalibrate(plan);
    const middle = recalibrate ? split + (1 - split) / 2 : split;
    if (recalibrate) {
      recalibratedLayers = await recalibrateBatchNorm(pruned, requireSamples('calibration'), {
        maxImages: options.recalibrationImages,
        batchSize: EVALUATION_BATCH_SIZE,
        signal: job.signal,
        onProgress: scaled(job, split, middle, 're-estimating BatchNormalization statistics'),
      });
    }
    top1After = await evaluate(pruned, evaluation, { ...job, onProgress: scaled(job, middle, 1, 'evaluating the pruned model') });
  } catch (error) {
    pruned.dispose();
    throw error;
  }

  const before = figures(model, top1Before);
  const after = figures(pruned, top1After);
  // TODO: report.dpc contains the analysis-wide options; a layer reclustered with another
  // percentile or kernel shows only its own dc and centers in the layer entries.
  const report = buildReport({
    model: info.name,
    dpc: analysis.dpc,
    plan,
    analysis: analysis.layers,
    calibrationImages: analysis.calibrationImages,
    evaluationImages: evaluation.labels.length,
    before,
    after,
    recalibratedLayers,
  });
  replacePruned(pruned, report);
  return { plan, before, after, report };
}

function evaluate(model: tf.LayersModel, samples: SampleSet, job: JobOptions): Promise<EvaluationResult> {
  return evaluateTop1(model, samples, { batchSize: EVALUATION_BATCH_SIZE, signal: job.signal, onProgress: job.onProgress });
}

function figures(model: tf.LayersModel, top1: EvaluationResult): ModelFigures {
  return { ...modelMetrics(model), top1: top1.top1 };
}

function scaled(job: JobOptions, from: number, to: number, phase: string): JobOptions['onProgress'] {
  return job.onProgress === undefined ? undefined : scaleProgress(job.onProgress, from, to, phase);
}
