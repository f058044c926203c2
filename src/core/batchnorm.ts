import * as tf from '@tensorflow/tfjs';

import { PeakPruneError, throwIfCancelled } from './errors';
import type { JobOptions, PruningPlan, SampleSet } from './types';

export interface RecalibrationOptions extends JobOptions {
  batchSize?: number;
  /** Use at most this many images (the first ones). */
  maxImages?: number;
}

const DEFAULT_BATCH_SIZE = 64;

/**
 * Returns whether a plan's pruned model should have its BatchNormalization statistics
 * re-estimated: only when the plan requests it and removes at least one filter, so that a
 * plan removing nothing yields a model identical to the original.
 */
export function shouldRecalibrate(plan: PruningPlan): boolean {
  return (plan.options.recalibrationImages ?? 0) > 0 && plan.layers.some((layer) => layer.removed.length > 0);
}

/**
 * Re-estimates the moving mean and variance of every channels-last BatchNormalization layer
 * from the given images, in network order, so that each layer normalises with the statistics
 * its inputs have after pruning. No gradient step runs: only the two moving statistics change,
 * in place. Pruning a layer shifts the distribution that every later BatchNormalization receives,
 * and re-estimating those statistics recovers much of the loss (the "adaptive BN" step of
 * EagleEye, Li et al., ECCV 2020).
 *
 * The variance is the population variance over images and positions, as a training-mode
 * batch normalisation computes it. Returns the names of the layers it updated.
 */
export async function recalibrateBatchNorm(
  model: tf.LayersModel,
  samples: SampleSet,
  options: RecalibrationOptions = {},
): Promise<string[]> {
  const layers = model.layers.filter(isChannelsLastBatchNorm);
  const count = Math.min(samples.labels.length, options.maxImages ?? Infinity);
  if (count < 2) {
    throw new PeakPruneError('invalid-images', 'Re-estimating BatchNormalization statistics needs at least 2 calibration images.');
  }
  for (const [index, layer] of layers.entries()) {
    const { mean, variance } = await inputMoments(model, layer, samples, count, options);
    setMovingStatistics(layer, mean, variance);
    options.onProgress?.({ phase: 'batchnorm', done: (index + 1) / layers.length, detail: layer.name });
  }
  return layers.map((layer) => layer.name);
}

function isChannelsLastBatchNorm(layer: tf.layers.Layer): boolean {
  if (layer.getClassName() !== 'BatchNormalization') return false;
  const axis = layer.getConfig().axis;
  const rank = (layer.input as tf.SymbolicTensor).shape.length;
  return axis === -1 || axis === rank - 1;
}

/** Per-channel mean and population variance of a layer's input over the first `count` images. */
async function inputMoments(
  model: tf.LayersModel,
  layer: tf.layers.Layer,
  samples: SampleSet,
  count: number,
  options: RecalibrationOptions,
): Promise<{ mean: Float64Array; variance: Float64Array }> {
  // A view on the same layers from the model's input to this layer's input; it owns no weights.
  const probe = tf.model({ inputs: model.inputs, outputs: layer.input as tf.SymbolicTensor });
  const [height, width, channels] = samples.shape;
  const imageSize = height * width * channels;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;

  let sums: tf.Tensor1D | undefined;
  let squares: tf.Tensor1D | undefined;
  let values = 0;
  try {
    for (let start = 0; start < count; start += batchSize) {
      throwIfCancelled(options.signal);
      const size = Math.min(batchSize, count - start);
      const pixels = samples.pixels.subarray(start * imageSize, (start + size) * imageSize);
      const next = tf.tidy(() => {
        const x = probe.predict(tf.tensor4d(pixels, [size, height, width, channels])) as tf.Tensor;
        const axes = x.shape.slice(0, -1).map((_, i) => i);
        const batchSums = tf.sum(x, axes) as tf.Tensor1D;
        const batchSquares = tf.sum(tf.square(x), axes) as tf.Tensor1D;
        return {
          sums: sums === undefined ? batchSums : tf.add(sums, batchSums),
          squares: squares === undefined ? batchSquares : tf.add(squares, batchSquares),
          values: x.size / x.shape[x.shape.length - 1],
        };
      });
      sums?.dispose();
      squares?.dispose();
      sums = next.sums as tf.Tensor1D;
      squares = next.squares as tf.Tensor1D;
      values += next.values;
      await new Promise<void>((resolve) => globalThis.setTimeout(resolve, 0));
    }
    const total = Float64Array.from(await sums!.data());
    const totalSquares = Float64Array.from(await squares!.data());
    const mean = total.map((sum) => sum / values);
    const variance = totalSquares.map((sum, c) => Math.max(0, sum / values - mean[c] ** 2));
    return { mean, variance };
  } finally {
    sums?.dispose();
    squares?.dispose();
  }
}

/** Replaces the moving mean and variance, which tfjs stores as the layer's last two weights. */
function setMovingStatistics(layer: tf.layers.Layer, mean: Float64Array, variance: Float64Array): void {
  const weights = layer.getWeights();
  const replaced = [...weights.slice(0, -2), tf.tensor1d(Float32Array.from(mean)), tf.tensor1d(Float32Array.from(variance))];
  layer.setWeights(replaced);
  replaced.slice(-2).forEach((tensor) => tensor.dispose());
}
