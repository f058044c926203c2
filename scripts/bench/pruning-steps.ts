// Steps 3 and 4 of the suite: rebuild plus export and reload at one ratio, and inference
// latency of pruned models beside their FLOPs ratio.
import * as tf from '@tensorflow/tfjs';

import { modelMetrics } from '../../src/core/metrics';
import { artifactsToFiles, loadFromFiles, saveToArtifacts } from '../../src/core/model-io';
import { planPruning, toRemovalMap } from '../../src/core/plan';
import { rebuildPruned } from '../../src/core/rebuild';
import type { LayerAnalysis, RemovalMap } from '../../src/core/types';
import { measured, medianTime } from './measure';

/** Plans removal of `ratio` of the filters of every analysed layer by smallest L1 norm. */
export function l1Removals(layers: readonly LayerAnalysis[], ratio: number): RemovalMap {
  return toRemovalMap(planPruning(layers, { method: 'l1', ratio, minChannels: 1 }));
}

export interface RebuildFigures {
  ratio: number;
  rebuildMs: number;
  rebuildPeakBytes: number;
  /** saveToArtifacts + artifactsToFiles, in ms. */
  exportMs: number;
  exportPeakBytes: number;
  /** loadFromFiles of the exported model.json and weights, in ms. */
  reloadMs: number;
  reloadPeakBytes: number;
  weightsFileBytes: number;
}

/** Runs step 3 at `ratio`: one rebuild, then one export and one reload of the rebuilt model. */
export async function measureRebuild(model: tf.LayersModel, layers: readonly LayerAnalysis[], ratio: number): Promise<RebuildFigures> {
  const removals = l1Removals(layers, ratio);
  const rebuilt = await measured(() => rebuildPruned(model, removals));
  try {
    const exported = await measured(async () => artifactsToFiles(await saveToArtifacts(rebuilt.result)));
    const files = exported.result;
    const reloaded = await measured(() => loadFromFiles(files.modelJson, new Map([[files.weightsFileName, files.weights]])));
    reloaded.result.dispose();
    return {
      ratio,
      rebuildMs: rebuilt.ms,
      rebuildPeakBytes: rebuilt.peakExtraBytes,
      exportMs: exported.ms,
      exportPeakBytes: exported.peakExtraBytes,
      reloadMs: reloaded.ms,
      reloadPeakBytes: reloaded.peakExtraBytes,
      weightsFileBytes: files.weights.byteLength,
    };
  } finally {
    rebuilt.result.dispose();
  }
}

export interface InferenceFigures {
  ratio: number;
  params: number;
  flops: number;
  /** FLOPs of this model over FLOPs of the unpruned one. */
  flopsRatio: number;
  /** Median latency per batch size, in ms. */
  medianMs: Record<string, number>;
  /** Unpruned latency over this model's latency, per batch size: the measured speed-up. */
  speedUp: Record<string, number>;
  /** Largest peak extra tensor bytes of one timed predict, over all batch sizes. */
  predictPeakBytes: number;
}

function predictOnce(model: tf.LayersModel, input: tf.Tensor4D): void {
  tf.tidy(() => {
    (model.predict(input) as tf.Tensor).dataSync();
  });
}

async function latencies(
  model: tf.LayersModel,
  inputs: readonly tf.Tensor4D[],
  runs: number,
): Promise<{ medianMs: Record<string, number>; peakExtraBytes: number }> {
  const medianMs: Record<string, number> = {};
  let peakExtraBytes = 0;
  for (const input of inputs) {
    const timing = await medianTime(() => predictOnce(model, input), runs);
    medianMs[String(input.shape[0])] = timing.ms;
    peakExtraBytes = Math.max(peakExtraBytes, timing.peakExtraBytes);
  }
  return { medianMs, peakExtraBytes };
}

/**
 * Runs step 4: for each ratio (0 is the unpruned model) rebuilds by L1 norm, then times predict
 * on the first images at each batch size, one warm-up and the median of `runs`.
 */
export async function measureInference(
  model: tf.LayersModel,
  layers: readonly LayerAnalysis[],
  images: tf.Tensor4D,
  options: { ratios: readonly number[]; batchSizes: readonly number[]; runs: number },
): Promise<InferenceFigures[]> {
  const inputs = options.batchSizes.map((size) => tf.slice(images, 0, size) as tf.Tensor4D);
  const baseFlops = modelMetrics(model).flops;
  const figures: InferenceFigures[] = [];
  try {
    for (const ratio of [0, ...options.ratios]) {
      const pruned = ratio === 0 ? model : rebuildPruned(model, l1Removals(layers, ratio));
      try {
        const { params, flops } = modelMetrics(pruned);
        const { medianMs, peakExtraBytes } = await latencies(pruned, inputs, options.runs);
        figures.push({ ratio, params, flops, flopsRatio: flops / baseFlops, medianMs, speedUp: {}, predictPeakBytes: peakExtraBytes });
      } finally {
        if (pruned !== model) pruned.dispose();
      }
    }
  } finally {
    tf.dispose(inputs);
  }
  for (const entry of figures) {
    for (const size of Object.keys(entry.medianMs)) entry.speedUp[size] = figures[0].medianMs[size] / entry.medianMs[size];
  }
  return figures;
}
