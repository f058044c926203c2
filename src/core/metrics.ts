// Size, cost and top-1 accuracy of a model.

import * as tf from '@tensorflow/tfjs';

import { PeakPruneError, throwIfCancelled } from './errors';
import type { EvaluationResult, JobOptions, ModelMetrics, SampleSet } from './types';

const BYTES_PER_FLOAT32 = 4;
const DEFAULT_BATCH_SIZE = 32;

/**
 * Counts parameters, multiply-adds per input and float32 bytes.
 *
 * `params` counts every weight, trainable or not, BatchNormalization's moving mean and variance
 * included, as Keras `count_params()` does. `flops` counts multiply-adds for one input:
 * kh·kw·cin·cout·Hout·Wout per Conv2D (and the same kernel-size rule for Conv1D, DepthwiseConv2D and
 * both kernels of SeparableConv2D) and in·out per Dense (times the positions when Dense gets
 * a tensor of rank above 2). Bias additions, BatchNormalization, activations and pooling count 0.
 * `bytes` is 4 bytes per parameter.
 */
export function modelMetrics(model: tf.LayersModel): ModelMetrics {
  let params = 0;
  for (const weight of model.weights) params += sizeOf(weight.shape as number[]);
  let flops = 0;
  for (const layer of model.layers) flops += layerMultiplyAdds(layer);
  return { params, flops, bytes: BYTES_PER_FLOAT32 * params };
}

function layerMultiplyAdds(layer: tf.layers.Layer): number {
  const format = isChannelsFirst(layer) ? 'channelsFirst' : 'channelsLast';
  switch (layer.getClassName()) {
    case 'Conv1D':
    case 'Conv2D':
    case 'DepthwiseConv2D':
      // The depthwise kernel [kh, kw, cin, m] has one entry per multiply-add at each output position.
      return sizeOf(layer.weights[0].shape as number[]) * outputPositions(layer, format);
    case 'SeparableConv2D':
      return (sizeOf(layer.weights[0].shape as number[]) + sizeOf(layer.weights[1].shape as number[])) * outputPositions(layer, format);
    case 'Dense':
      return sizeOf(layer.weights[0].shape as number[]) * outputPositions(layer, 'channelsLast');
    default:
      // NOTE: other classes (pooling, BatchNormalization, activations, merges, Conv2DTranspose) count 0.
      return 0;
  }
}

/** Product of the output dimensions other than the batch and channel axes. */
function outputPositions(layer: tf.layers.Layer, dataFormat: 'channelsFirst' | 'channelsLast'): number {
  const shape = layer.outputShape as (number | null)[];
  const spatial = dataFormat === 'channelsFirst' ? shape.slice(2) : shape.slice(1, -1);
  if (spatial.some((dim) => dim === null)) {
    throw new PeakPruneError(
      'invalid-model',
      `Layer "${layer.name}" has an output of unknown size, so its FLOPs cannot be counted; give the model a fixed input shape.`,
    );
  }
  return sizeOf(spatial as number[]);
}

function isChannelsFirst(layer: tf.layers.Layer): boolean {
  return layer.getConfig().dataFormat === 'channelsFirst';
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/**
 * Computes top-1 accuracy on `samples`, one batch at a time. Only the predicted class of each
 * image is read back from the device. A model with several outputs is scored on its last one.
 * Reports progress in phase 'evaluate' and checks for cancellation between batches.
 */
export async function evaluateTop1(
  model: tf.LayersModel,
  samples: SampleSet,
  options: { batchSize?: number } & JobOptions = {},
): Promise<EvaluationResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new PeakPruneError('invalid-options', `Batch size ${batchSize} is invalid; use a positive integer.`);
  }
  const total = validateSamples(model, samples);
  const [height, width, channels] = samples.shape;
  const imageSize = height * width * channels;

  let correct = 0;
  for (let start = 0; start < total; start += batchSize) {
    throwIfCancelled(options.signal);
    const count = Math.min(batchSize, total - start);
    const pixels = samples.pixels.subarray(start * imageSize, (start + count) * imageSize);
    const predicted = tf.tidy(() => {
      const output = model.predict(tf.tensor4d(pixels, [count, height, width, channels]));
      const scores = Array.isArray(output) ? output[output.length - 1] : output;
      return tf.argMax(scores, -1);
    });
    const classes = await predicted.data();
    predicted.dispose();
    for (let i = 0; i < count; i++) if (classes[i] === samples.labels[start + i]) correct++;

    options.onProgress?.({ phase: 'evaluate', done: (start + count) / total });
    await nextMacrotask();
  }
  return { top1: correct / total, correct, total };
}

/** Returns the number of images after checking that pixels, labels and shape agree with the model. */
function validateSamples(model: tf.LayersModel, samples: SampleSet): number {
  const total = samples.labels.length;
  if (total === 0) {
    throw new PeakPruneError('invalid-images', 'The evaluation set has no images; load some labelled images first.');
  }
  const imageSize = samples.shape.reduce((product, dim) => product * dim, 1);
  if (samples.pixels.length !== total * imageSize) {
    throw new PeakPruneError(
      'invalid-images',
      `The evaluation set has ${samples.pixels.length} pixel values, but ${total} images of shape [${samples.shape.join(', ')}] need ${total * imageSize}.`,
    );
  }
  const expected = model.inputs[0].shape.slice(1);
  const matches = expected.length === 3 && expected.every((dim, i) => dim === null || dim === samples.shape[i]);
  if (!matches) {
    throw new PeakPruneError(
      'invalid-images',
      `The images have shape [${samples.shape.join(', ')}], but model "${model.name}" expects [${expected.join(', ')}].`,
    );
  }
  return total;
}

interface TimerHost {
  setTimeout(callback: () => void, milliseconds: number): unknown;
}

/** Waits one macrotask, so that messages such as an abort request are handled between batches. */
function nextMacrotask(): Promise<void> {
  // The core compiles without DOM or Node typings, so the timer is looked up on globalThis.
  const host = globalThis as unknown as TimerHost;
  return new Promise((resolve) => host.setTimeout(resolve, 0));
}
