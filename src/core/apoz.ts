// APoZ (average percentage of zeros, Hu et al., "Network Trimming", 2016) of every convolution
// filter, measured on sample images after the activation that follows the convolution.

import * as tf from '@tensorflow/tfjs';

import { PeakPruneError, throwIfCancelled } from './errors';
import type { ApozResult, JobOptions, SampleSet } from './types';

type Layer = tf.LayersModel['layers'][number];

/** Layer output at which a convolution layer's filters are scored. */
export interface MeasuringPoint {
  /** The convolution layer whose filters are scored. */
  layer: string;
  /** The layer whose output is measured: the conv itself, or the activation layer after it. */
  measuredAt: string;
  /** Activation at the measuring point, for example 'relu', 'linear', 'leakyReLU'. */
  activation: string;
  /** True only for activations that output exact zeros (relu, relu6, ReLU, ThresholdedReLU). */
  applies: boolean;
  /** Explanation when `applies` is false. */
  note?: string;
}

/** Layer classes that output their input unchanged in inference mode. */
const IDENTITY_AT_INFERENCE = new Set(['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'Identity']);

/** Convolution classes whose filters are scored. */
const CONVOLUTIONS = new Set(['Conv1D', 'Conv2D', 'SeparableConv2D']);

/** Activations whose output contains exact zeros, so that APoZ has a meaning. */
const EXACT_ZERO_ACTIVATIONS = new Set(['relu', 'relu6', 'thresholdedReLU']);

/**
 * Finds the measuring point of every convolution (Conv1D, Conv2D, SeparableConv2D), in model order.
 *
 * A conv with a fused activation other than 'linear' is measured at its own output. Otherwise
 * the single-consumer path after it is followed to the first activation layer. The path passes
 * BatchNormalization, layers that are the identity at inference (Dropout, GaussianNoise and the
 * like) and element-wise merges (Add, Subtract, Multiply, Average, Maximum, Minimum, as at the
 * end of a residual block). Activation layers are Activation, ReLU, LeakyReLU, PReLU, ELU,
 * ThresholdedReLU and Softmax. When the path branches, ends or reaches any other layer first, the conv's linear output is measured.
 * Layers are recognised by class name, never by layer name.
 */
export function findMeasuringPoints(model: tf.LayersModel): MeasuringPoint[] {
  const inModel = new Set<Layer>(model.layers);
  return model.layers
    .filter((layer) => CONVOLUTIONS.has(layer.getClassName()))
    .map((conv) => {
      const fused = String(conv.getConfig().activation ?? 'linear');
      if (fused !== 'linear') return measuringPoint(conv.name, conv.name, fused);
      const activationLayer = followToActivation(conv, inModel);
      if (!activationLayer) return measuringPoint(conv.name, conv.name, 'linear');
      return measuringPoint(conv.name, activationLayer.name, activationName(activationLayer) ?? 'linear');
    });
}

const PASSED_BEFORE_ACTIVATION = new Set([...IDENTITY_AT_INFERENCE, 'BatchNormalization', 'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum']);

function followToActivation(conv: Layer, inModel: Set<Layer>): Layer | undefined {
  let current = conv;
  for (;;) {
    const next = consumers(current, inModel);
    if (next.length !== 1) return undefined;
    current = next[0];
    if (activationName(current) !== undefined) return current;
    if (!PASSED_BEFORE_ACTIVATION.has(current.getClassName())) return undefined;
  }
}

/** Returns the distinct layers of the model that take this layer's output as input. */
function consumers(layer: Layer, inModel: Set<Layer>): Layer[] {
  const next = layer.outboundNodes.map((node) => node.outboundLayer).filter((consumer) => inModel.has(consumer));
  return [...new Set(next)];
}

/** Returns the activation a layer applies when it is an activation layer, else undefined. */
function activationName(layer: Layer): string | undefined {
  const config = layer.getConfig();
  switch (layer.getClassName()) {
    case 'Activation':
      return String(config.activation);
    case 'ReLU':
      return config.maxValue === 6 ? 'relu6' : 'relu';
    case 'LeakyReLU':
      return 'leakyReLU';
    case 'PReLU':
      return 'prelu';
    case 'ELU':
      return 'elu';
    case 'ThresholdedReLU':
      return 'thresholdedReLU';
    case 'Softmax':
      return 'softmax';
    default:
      return undefined;
  }
}

function measuringPoint(layer: string, measuredAt: string, activation: string): MeasuringPoint {
  if (EXACT_ZERO_ACTIVATIONS.has(activation)) return { layer, measuredAt, activation, applies: true };
  const note =
    activation === 'linear'
      ? 'APoZ does not apply because no activation follows this convolution, so the mean absolute activation is used instead.'
      : `APoZ does not apply because ${activation} never outputs exact zeros, so the mean absolute activation is used instead.`;
  return { layer, measuredAt, activation, applies: false, note };
}

/**
 * Measures APoZ and the mean absolute activation of every channel at the given points.
 *
 * The model runs in inference mode, so BatchNormalization uses its moving statistics and Dropout
 * is off. Per batch, zeros and |a| are summed per channel into accumulators that stay on the
 * backend, and only the per-channel totals are read back at the end. Between batches the loop
 * yields to the event loop so that an abort can arrive, then checks options.signal. Every tensor
 * created here is disposed, also on cancel or error. The images are not disposed.
 */
export async function measureApoz(
  model: tf.LayersModel,
  images: SampleSet | tf.Tensor4D,
  points: readonly MeasuringPoint[],
  options: { batchSize?: number } & JobOptions = {},
): Promise<ApozResult[]> {
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new PeakPruneError('invalid-options', `The batch size ${batchSize} is invalid; use a positive integer.`);
  }
  const source = imageSource(model, images);
  if (points.length === 0) return [];

  const measuredAt = [...new Set(points.map((p) => p.measuredAt))];
  const outputs = measuredAt.map((name) => model.getLayer(name).output as tf.SymbolicTensor);
  const measuring = tf.model({ inputs: model.inputs, outputs });
  const channelAxes = measuredAt.map((name) => channelAxis(model, points.find((p) => p.measuredAt === name)!));
  let totals: Accumulators = { zeros: [], absSums: [], positions: [] };
  try {
    for (let start = 0; start < source.count; start += batchSize) {
      throwIfCancelled(options.signal);
      const end = Math.min(start + batchSize, source.count);
      const previous = totals;
      totals = tf.tidy(() => accumulateBatch(measuring, source.batch(start, end), channelAxes, previous));
      tf.dispose([...previous.zeros, ...previous.absSums]);
      options.onProgress?.({ phase: 'apoz', done: end / source.count });
      await yieldToEventLoop();
    }
    throwIfCancelled(options.signal);
    return await readResults(points, measuredAt, totals, source.count);
  } finally {
    tf.dispose([...totals.zeros, ...totals.absSums]);
  }
}

interface ImageSource {
  count: number;
  /** Returns images [start, end) as a new tensor. Call inside tf.tidy. */
  batch(start: number, end: number): tf.Tensor4D;
}

function imageSource(model: tf.LayersModel, images: SampleSet | tf.Tensor4D): ImageSource {
  if (model.inputs.length !== 1) {
    throw new PeakPruneError('invalid-model', `The model has ${model.inputs.length} inputs; APoZ needs a model with one image input.`);
  }
  const expected = model.inputs[0].shape.slice(1);
  const shape = images instanceof tf.Tensor ? images.shape.slice(1) : images.shape;
  const matches = shape.length === expected.length && expected.every((size, i) => size === null || size === shape[i]);
  if (!matches) {
    throw new PeakPruneError(
      'invalid-images',
      `The images are ${shape.join('×')}, but the model expects ${expected.map((s) => s ?? 'any').join('×')}; resize them or load matching images.`,
    );
  }
  if (images instanceof tf.Tensor) {
    if (images.shape[0] === 0) throw new PeakPruneError('invalid-images', 'The image tensor contains no images; load at least one sample image.');
    return { count: images.shape[0], batch: (start, end) => tf.slice(images, start, end - start) };
  }
  const [h, w, c] = images.shape;
  const perImage = h * w * c;
  const count = images.pixels.length / perImage;
  if (!Number.isInteger(count) || count === 0) {
    throw new PeakPruneError('invalid-images', `The sample pixels (${images.pixels.length} values) are not a positive whole number of ${h}×${w}×${c} images.`);
  }
  return {
    count,
    batch: (start, end) => tf.tensor4d(images.pixels.subarray(start * perImage, end * perImage), [end - start, h, w, c]),
  };
}

/** Returns the channel axis of the measured output: 1 for channelsFirst convs, else its last axis. */
function channelAxis(model: tf.LayersModel, point: MeasuringPoint): number {
  if (model.getLayer(point.layer).getConfig().dataFormat === 'channelsFirst') return 1;
  return (model.getLayer(point.measuredAt).outputShape as (number | null)[]).length - 1;
}

// A type alias, not an interface, so that tf.tidy accepts it as a TensorContainer.
type Accumulators = {
  zeros: tf.Tensor1D[];
  absSums: tf.Tensor1D[];
  /** Values per channel per image (H·W) of each measured output. */
  positions: number[];
};

/** Runs one batch and returns the accumulators plus this batch's per-channel sums. Call inside tf.tidy. */
function accumulateBatch(
  measuring: tf.LayersModel,
  batch: tf.Tensor4D,
  channelAxes: number[],
  previous: Accumulators,
): Accumulators {
  const predicted = measuring.predict(batch, { batchSize: batch.shape[0] });
  const activations = Array.isArray(predicted) ? predicted : [predicted];
  const next: Accumulators = { zeros: [], absSums: [], positions: [] };
  activations.forEach((a, k) => {
    if (channelAxes[k] >= a.rank) {
      throw new PeakPruneError('internal', `The output measured for APoZ has shape [${a.shape.join(', ')}], which has no axis ${channelAxes[k]}.`);
    }
    const axes = a.shape.map((_, axis) => axis).filter((axis) => axis !== channelAxes[k]);
    const batchZeros = tf.sum(tf.cast(tf.equal(a, 0), 'float32'), axes) as tf.Tensor1D;
    const batchAbs = tf.sum(tf.abs(a), axes) as tf.Tensor1D;
    next.zeros.push(previous.zeros[k] ? tf.add(previous.zeros[k], batchZeros) : batchZeros);
    next.absSums.push(previous.absSums[k] ? tf.add(previous.absSums[k], batchAbs) : batchAbs);
    next.positions.push(a.size / (a.shape[0] * a.shape[channelAxes[k]]));
  });
  return next;
}

/**
 * Reads the per-channel totals back in one transfer and turns them into results.
 *
 * NOTE: the totals are float32 sums, exact up to 2^24 zeros per channel. Beyond that, each
 * batch added can round the count by up to about 6e-8 of its value (float32 epsilon / 2).
 */
async function readResults(
  points: readonly MeasuringPoint[],
  measuredAt: string[],
  totals: Accumulators,
  imageCount: number,
): Promise<ApozResult[]> {
  const channels = totals.zeros.map((t) => t.shape[0]);
  const joined = tf.concat([...totals.zeros, ...totals.absSums]);
  let values: Float32Array;
  try {
    values = (await joined.data()) as Float32Array;
  } finally {
    joined.dispose();
  }
  const offsets = channels.map((_, k) => channels.slice(0, k).reduce((sum, c) => sum + c, 0));
  const absStart = channels.reduce((sum, c) => sum + c, 0);
  return points.map((point) => {
    const k = measuredAt.indexOf(point.measuredAt);
    const count = imageCount * totals.positions[k];
    const zeroCounts = values.subarray(offsets[k], offsets[k] + channels[k]);
    const absSums = values.subarray(absStart + offsets[k], absStart + offsets[k] + channels[k]);
    return {
      ...point,
      apoz: Float64Array.from(zeroCounts, (z) => z / count),
      meanAbs: Float64Array.from(absSums, (sum) => sum / count),
      count,
    };
  });
}

/** Resolves on the next macrotask, so that pending messages such as an abort are handled first. */
function yieldToEventLoop(): Promise<void> {
  // The core compiles without DOM or Node typings, but setTimeout exists in browsers, workers and Node.
  const timers = globalThis as unknown as { setTimeout(callback: () => void, ms: number): unknown };
  return new Promise((resolve) => {
    timers.setTimeout(resolve, 0);
  });
}
