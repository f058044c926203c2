import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { findMeasuringPoints, measureApoz } from '../../src/core/apoz';
import { PeakPruneError } from '../../src/core/errors';
import type { Progress, SampleSet } from '../../src/core/types';

// Three 2×2×1 images. Each sums to 0; the positive values are 1, 2, 3, 4, 5, 6 (sum 21) and the
// negative values are their negatives, so half of all 12 positions are negative.
const PIXELS = [1, -1, 2, -2, 3, -3, 4, -4, -5, 5, -6, 6];
const SAMPLES: SampleSet = {
  pixels: Float32Array.from(PIXELS),
  shape: [2, 2, 1],
  labels: Int32Array.from([0, 0, 0]),
  classNames: ['only'],
};

/** Creates a 1×1 convolution over one input channel, without weights yet. */
function pointwiseConv(name: string, filters: number, activation: 'relu' | 'linear'): tf.layers.Layer {
  return tf.layers.conv2d({ name, filters, kernelSize: 1, activation, inputShape: [2, 2, 1] });
}

/** Sets a built 1×1 conv so that output channel c is weights[c]·x + biases[c]. */
function setPointwiseWeights(layer: tf.layers.Layer, weights: number[], biases: number[]): void {
  tf.tidy(() => layer.setWeights([tf.tensor4d(weights, [1, 1, 1, weights.length]), tf.tensor1d(biases)]));
}

function expectArrayClose(actual: Float64Array, expected: number[], digits = 6): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) => expect(actual[i], `channel ${i}`).toBeCloseTo(value, digits));
}

async function expectCancelled(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PeakPruneError);
    expect((error as PeakPruneError).code).toBe('cancelled');
    return;
  }
  expect.fail('expected the job to be cancelled');
}

const models: tf.LayersModel[] = [];

/** Registers a model for disposal after all tests. */
function keep<T extends tf.LayersModel>(model: T): T {
  models.push(model);
  return model;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterAll(() => {
  for (const model of models) model.dispose();
});

describe('fused relu', () => {
  // Channel 0: x − 10 < 0 everywhere → APoZ 1, mean |a| 0.
  // Channel 1: x + 10 ≥ 4 everywhere → APoZ 0, mean |a| = (Σx + 12·10) / 12 = 10.
  // Channel 2: x → zero at the 6 negative positions → APoZ 0.5, mean |a| = 21 / 12 = 1.75.
  let model: tf.Sequential;
  beforeAll(() => {
    const conv = pointwiseConv('features', 3, 'relu');
    model = keep(tf.sequential({ layers: [conv] }));
    setPointwiseWeights(conv, [1, 1, 1], [-10, 10, 0]);
  });

  it('is measured at the conv itself', () => {
    expect(findMeasuringPoints(model)).toEqual([{ layer: 'features', measuredAt: 'features', activation: 'relu', applies: true }]);
  });

  it('gives APoZ by hand across batches', async () => {
    const progress: Progress[] = [];
    const before = tf.memory().numTensors;
    const [result] = await measureApoz(model, SAMPLES, findMeasuringPoints(model), {
      batchSize: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(tf.memory().numTensors).toBe(before);

    expectArrayClose(result.apoz, [1, 0, 0.5]);
    expectArrayClose(result.meanAbs, [0, 10, 1.75]);
    expect(result.count).toBe(12);
    expect(result.applies).toBe(true);
    expect(progress.map((p) => p.phase)).toEqual(['apoz', 'apoz']);
    expect(progress.map((p) => p.done)).toEqual([2 / 3, 1]);
  });

  it('accepts a tensor of images', async () => {
    const images = tf.tensor4d(PIXELS, [3, 2, 2, 1]);
    const before = tf.memory().numTensors;
    const [result] = await measureApoz(model, images, findMeasuringPoints(model), { batchSize: 1 });
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
    expectArrayClose(result.apoz, [1, 0, 0.5]);
    expectArrayClose(result.meanAbs, [0, 10, 1.75]);
  });

  it('rejects images of the wrong shape', async () => {
    const wrong: SampleSet = { ...SAMPLES, pixels: new Float32Array(27), shape: [3, 3, 1] };
    await expect(measureApoz(model, wrong, findMeasuringPoints(model))).rejects.toMatchObject({ code: 'invalid-images' });
  });

  it('cancels before the first batch without leaks', async () => {
    const controller = new AbortController();
    controller.abort();
    let batches = 0;
    const before = tf.memory().numTensors;
    const job = measureApoz(model, SAMPLES, findMeasuringPoints(model), {
      batchSize: 1,
      signal: controller.signal,
      onProgress: () => batches++,
    });
    await expectCancelled(job);
    expect(tf.memory().numTensors).toBe(before);
    expect(batches).toBe(0);
  });

  it('cancels between batches without leaks', async () => {
    const controller = new AbortController();
    let batches = 0;
    const before = tf.memory().numTensors;
    const job = measureApoz(model, SAMPLES, findMeasuringPoints(model), {
      batchSize: 1,
      signal: controller.signal,
      onProgress: () => {
        batches++;
        controller.abort();
      },
    });
    await expectCancelled(job);
    expect(tf.memory().numTensors).toBe(before);
    // The abort after the first of three batches stops the loop before the second.
    expect(batches).toBe(1);
  });
});

describe('conv, BatchNormalization, relu chain', () => {
  // Linear conv y = x on both channels, then BatchNormalization in inference mode:
  // (y − movingMean) / √(movingVariance + ε) with mean [1.5, −10], variance [1, 1], ε = 0.001.
  // Channel 0: positive only where x > 1.5, that is x ∈ {2, 3, 4, 5, 6}: APoZ 7/12,
  //   mean |a| = (0.5 + 1.5 + 2.5 + 3.5 + 4.5) / √1.001 / 12 = 12.5 / √1.001 / 12.
  // Channel 1: x + 10 > 0 everywhere: APoZ 0, mean |a| = 120 / √1.001 / 12.
  // Layer names are deliberately misleading: measuring points follow class names.
  let model: tf.Sequential;
  beforeAll(() => {
    const conv = pointwiseConv('relu_output', 2, 'linear');
    const norm = tf.layers.batchNormalization({ name: 'activation_like', epsilon: 0.001 });
    const dropout = tf.layers.dropout({ name: 'conv2d_like', rate: 0.5 });
    const relu = tf.layers.activation({ name: 'batch_norm_like', activation: 'relu' });
    model = keep(tf.sequential({ layers: [conv, norm, dropout, relu] }));
    setPointwiseWeights(conv, [1, 1], [0, 0]);
    tf.tidy(() => norm.setWeights([tf.ones([2]), tf.zeros([2]), tf.tensor1d([1.5, -10]), tf.ones([2])]));
  });

  it('is measured at the activation layer', () => {
    expect(findMeasuringPoints(model)).toEqual([
      { layer: 'relu_output', measuredAt: 'batch_norm_like', activation: 'relu', applies: true },
    ]);
  });

  it('uses the moving statistics', async () => {
    const before = tf.memory().numTensors;
    const [result] = await measureApoz(model, SAMPLES, findMeasuringPoints(model), { batchSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
    const scale = Math.sqrt(1.001);
    expectArrayClose(result.apoz, [7 / 12, 0]);
    expectArrayClose(result.meanAbs, [12.5 / scale / 12, 120 / scale / 12], 5);
  });
});

describe('activations without exact zeros', () => {
  it('leaky relu reports mean absolute activation', async () => {
    // Channel 0 is x, channel 1 is −2x, then LeakyReLU with α = 0.1.
    // Channel 0: positives sum 21, negatives 0.1 · 21 = 2.1 → mean |a| = 23.1 / 12 = 1.925.
    // Channel 1: positives 2 · 21 = 42, negatives 0.1 · 42 = 4.2 → 46.2 / 12 = 3.85.
    const conv = pointwiseConv('conv', 2, 'linear');
    const model = keep(tf.sequential({ layers: [conv, tf.layers.leakyReLU({ name: 'leaky', alpha: 0.1 })] }));
    setPointwiseWeights(conv, [1, -2], [0, 0]);

    const points = findMeasuringPoints(model);
    expect(points).toHaveLength(1);
    expect(points[0]).toMatchObject({ layer: 'conv', measuredAt: 'leaky', activation: 'leakyReLU', applies: false });
    expect(points[0].note).toMatch(/mean absolute activation/);

    const before = tf.memory().numTensors;
    const [result] = await measureApoz(model, SAMPLES, points, { batchSize: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.applies).toBe(false);
    expect(result.note).toBe(points[0].note);
    expectArrayClose(result.apoz, [0, 0]);
    expectArrayClose(result.meanAbs, [1.925, 3.85], 5);
  });

  it('conv followed by pooling measures the linear output', () => {
    const layers = [pointwiseConv('conv', 1, 'linear'), tf.layers.maxPooling2d({ poolSize: 2 }), tf.layers.reLU()];
    const model = keep(tf.sequential({ layers }));
    const [point] = findMeasuringPoints(model);
    expect(point).toMatchObject({ layer: 'conv', measuredAt: 'conv', activation: 'linear', applies: false });
    expect(point.note).toMatch(/no activation follows/);
  });

  it('branching output measures the conv itself', () => {
    const input = tf.input({ shape: [2, 2, 1] });
    const conv = tf.layers.conv2d({ name: 'branching', filters: 1, kernelSize: 1 });
    const features = conv.apply(input) as tf.SymbolicTensor;
    const relu = tf.layers.reLU().apply(features) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([features, relu]) as tf.SymbolicTensor;
    const model = keep(tf.model({ inputs: input, outputs: sum }));
    expect(findMeasuringPoints(model)).toMatchObject([{ layer: 'branching', measuredAt: 'branching', activation: 'linear', applies: false }]);
  });

  it('ReLU layer with max value 6 counts as relu6', () => {
    const model = keep(tf.sequential({ layers: [pointwiseConv('conv', 1, 'linear'), tf.layers.reLU({ name: 'clipped', maxValue: 6 })] }));
    expect(findMeasuringPoints(model)).toEqual([{ layer: 'conv', measuredAt: 'clipped', activation: 'relu6', applies: true }]);
  });
});
