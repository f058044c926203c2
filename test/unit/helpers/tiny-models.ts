// Small models with seeded weights for the core's unit tests, run on the tfjs cpu backend.

import * as tf from '@tensorflow/tfjs';

import type { SampleSet } from '../../../src/core/types';

/** Returns a generator of uniform values in [-1, 1) from a 32-bit linear congruential sequence. */
export function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
}

/**
 * Sets every weight of the model to seeded values in [-1, 1). BatchNormalization moving
 * variances get values in [0.5, 1.5) instead, so that they stay positive.
 */
export function seedWeights(model: tf.LayersModel, seed: number): void {
  const next = lcg(seed);
  const values = model.weights.map((weight) => {
    const size = weight.shape.reduce((product: number, dim) => product * (dim ?? 1), 1);
    const positive = weight.originalName.endsWith('moving_variance');
    const data = Float32Array.from({ length: size }, () => (positive ? 1 + next() / 2 : next()));
    return tf.tensor(data, weight.shape as number[]);
  });
  model.setWeights(values);
  tf.dispose(values);
}

/** Returns `count` seeded input images of shape [height, width, channels] as a tensor. */
export function seededInput(shape: readonly [number, number, number], count: number, seed: number): tf.Tensor4D {
  const next = lcg(seed);
  const size = count * shape[0] * shape[1] * shape[2];
  return tf.tensor4d(Float32Array.from({ length: size }, next), [count, ...shape]);
}

/** Returns the model's (single) output for `input` as plain numbers. */
export function predictValues(model: tf.LayersModel, input: tf.Tensor): Float32Array {
  return tf.tidy(() => (model.predict(input) as tf.Tensor).dataSync() as Float32Array);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/**
 * Builds conv "c1" (4 filters, 3×3 same) → BatchNormalization "bn1" → ReLU "relu1" → max pool 2
 * "pool1" → Flatten "flat" → Dense "dense" (3 units), on 6×6×2 inputs.
 * Parameters: c1 76, bn1 16, dense 111, total 203.
 */
export function buildConvBnDense(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, padding: 'same', name: 'c1' }),
      tf.layers.batchNormalization({ name: 'bn1' }),
      tf.layers.reLU({ name: 'relu1' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ units: 3, name: 'dense' }),
    ],
  });
}

/**
 * Builds conv "c1" (4 filters, 3×3 same, relu) → conv "c2" (3 filters, 3×3 valid) → ReLU "relu2" →
 * global average pooling "gap" → Dense "dense" (2 units), on 5×5×2 inputs, no BatchNormalization.
 * Parameters: c1 76, c2 111, dense 8, total 195.
 */
export function buildConvConvGap(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [5, 5, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' }),
      tf.layers.conv2d({ filters: 3, kernelSize: 3, name: 'c2' }),
      tf.layers.reLU({ name: 'relu2' }),
      tf.layers.globalAveragePooling2d({ name: 'gap' }),
      tf.layers.dense({ units: 2, name: 'dense' }),
    ],
  });
}

/**
 * Builds a functional chain named "chain" on 6×6×3 inputs (input layer "image"). Its layers are
 * conv "c1" (5 filters, 3×3 same) → BatchNormalization "bn1" without gamma or beta →
 * Activation relu "act1" → conv "c2" (4 filters, 3×3 same) → BatchNormalization "bn2" →
 * average pool 2 "pool2" → Flatten "flat" → Dropout "drop" → Dense "dense" (3 units).
 */
export function buildFunctionalChain(): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 3], name: 'image' });
  const layers: tf.layers.Layer[] = [
    tf.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', name: 'c1' }),
    tf.layers.batchNormalization({ scale: false, center: false, name: 'bn1' }),
    tf.layers.activation({ activation: 'relu', name: 'act1' }),
    tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c2' }),
    tf.layers.batchNormalization({ name: 'bn2' }),
    tf.layers.averagePooling2d({ poolSize: 2, name: 'pool2' }),
    tf.layers.flatten({ name: 'flat' }),
    tf.layers.dropout({ rate: 0.5, name: 'drop' }),
    tf.layers.dense({ units: 3, name: 'dense' }),
  ];
  let output: tf.SymbolicTensor = input;
  for (const layer of layers) output = layer.apply(output) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'chain' });
}

/** Disposes models and tensors alike, because `tf.dispose` accepts tensors only. */
export function disposeAll(...items: (tf.LayersModel | tf.Tensor)[]): void {
  for (const item of items) item.dispose();
}

/**
 * Returns `count` seeded 6×6×3 images for buildFunctionalChain, labelled with seeded classes
 * among "a", "b" and "c".
 */
export function chainSamples(count: number): SampleSet {
  const input = seededInput([6, 6, 3], count, 23);
  const next = lcg(29);
  const samples: SampleSet = {
    pixels: input.dataSync() as Float32Array,
    shape: [6, 6, 3],
    labels: Int32Array.from({ length: count }, () => Math.floor(((next() + 1) / 2) * 3)),
    classNames: ['a', 'b', 'c'],
  };
  input.dispose();
  return samples;
}

/**
 * Counts the parameters of buildFunctionalChain with k1 filters in c1 and k2 in c2, by hand.
 * c1 has 3·3·3·k1 + k1, bn1 2·k1 (moving mean and variance only), c2 3·3·k1·k2 + k2 and bn2 4·k2.
 * The 2 × 2 pooling leaves 3 × 3 × k2 features, so dense has (3·3·k2)·3 + 3.
 */
export function chainParams(k1: number, k2: number): number {
  return 28 * k1 + 2 * k1 + 9 * k1 * k2 + k2 + 4 * k2 + 27 * k2 + 3;
}
