import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { PeakPruneError } from '../../src/core/errors';
import { evaluateTop1, modelMetrics } from '../../src/core/metrics';
import type { Progress, SampleSet } from '../../src/core/types';
import { buildConvBnDense } from './helpers/tiny-models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * Flatten → Dense "identity" (3 units, kernel I, no bias) → Dense "reversed" (3 units, kernel
 * that reverses the order, no bias) on 1×1×3 inputs. The first output's argmax is the largest
 * input, the second output's argmax is 2 minus it. With `twoOutputs` both are model outputs.
 */
function buildArgmaxModel(twoOutputs: boolean): tf.LayersModel {
  const input = tf.input({ shape: [1, 1, 3] });
  const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
  const identityLayer = tf.layers.dense({ units: 3, useBias: false, name: 'identity' });
  const reversedLayer = tf.layers.dense({ units: 3, useBias: false, name: 'reversed' });
  const first = identityLayer.apply(flat) as tf.SymbolicTensor;
  const second = reversedLayer.apply(first) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: twoOutputs ? [first, second] : first });
  const identity = tf.tensor2d([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3]);
  const reverse = tf.tensor2d([0, 0, 1, 0, 1, 0, 1, 0, 0], [3, 3]);
  identityLayer.setWeights([identity]);
  if (twoOutputs) reversedLayer.setWeights([reverse]);
  tf.dispose([identity, reverse]);
  return model;
}

/** Five 1×1×3 images whose largest value is at 0, 1, 2, 2, 0, with labels 0, 1, 0, 2, 1. */
function argmaxSamples(): SampleSet {
  return {
    pixels: Float32Array.from([0.9, 0.1, 0.0, 0.2, 0.7, 0.1, 0.1, 0.2, 0.8, 0.0, 0.3, 0.6, 0.5, 0.4, 0.1]),
    shape: [1, 1, 3],
    labels: Int32Array.from([0, 1, 0, 2, 1]),
    classNames: ['a', 'b', 'c'],
  };
}

describe('modelMetrics', () => {
  it('counts params, FLOPs and bytes of a conv model', () => {
    const model = buildConvBnDense();

    const metrics = modelMetrics(model);

    // c1: 3·3·2·4 + 4 = 76, bn1: 4 · 4 = 16 (moving stats included), dense: 36·3 + 3 = 111.
    expect(metrics.params).toBe(203);
    // c1: 3·3·2·4 multiply-adds at 6·6 positions = 2592, dense: 36·3 = 108.
    expect(metrics.flops).toBe(2700);
    expect(metrics.bytes).toBe(812);
    model.dispose();
  });

  it('counts a strided same-padded conv', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 5 }),
      ],
    });

    const metrics = modelMetrics(model);

    expect(metrics.params).toBe(3 * 3 * 3 * 4 + 4 * 5 + 5);
    // Output 3×3×4: 3·3·3·4 · 9 = 972, dense 4·5 = 20.
    expect(metrics.flops).toBe(992);
    model.dispose();
  });
});

describe('evaluateTop1', () => {
  it('scores known predictions in batches', async () => {
    const model = buildArgmaxModel(false);
    const progress: Progress[] = [];
    const before = tf.memory().numTensors;

    const result = await evaluateTop1(model, argmaxSamples(), { batchSize: 2, onProgress: (p) => progress.push(p) });

    // Predictions 0, 1, 2, 2, 0 against labels 0, 1, 0, 2, 1.
    expect(result).toEqual({ top1: 3 / 5, correct: 3, total: 5 });
    expect(progress.map((p) => p.phase)).toEqual(['evaluate', 'evaluate', 'evaluate']);
    expect(progress.map((p) => p.done)).toEqual([2 / 5, 4 / 5, 1]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('uses the last output', async () => {
    const model = buildArgmaxModel(true);

    const result = await evaluateTop1(model, argmaxSamples(), { batchSize: 4 });

    // Predictions 2, 1, 0, 0, 2 against labels 0, 1, 0, 2, 1.
    expect(result).toEqual({ top1: 2 / 5, correct: 2, total: 5 });
    model.dispose();
  });

  it('stops between batches when cancelled', async () => {
    const model = buildArgmaxModel(false);
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    let batches = 0;

    const run = evaluateTop1(model, argmaxSamples(), {
      batchSize: 1,
      signal: controller.signal,
      onProgress: () => {
        batches++;
        controller.abort();
      },
    });

    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(batches).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('rejects images of the wrong shape', async () => {
    const model = buildArgmaxModel(false);
    const samples = { ...argmaxSamples(), shape: [3, 1, 1] as [number, number, number] };
    const truncated = { ...argmaxSamples(), pixels: new Float32Array(14) };

    await expect(evaluateTop1(model, samples)).rejects.toThrow(/have shape \[3, 1, 1\], but model .* expects \[1, 1, 3\]/);
    await expect(evaluateTop1(model, truncated)).rejects.toThrow(/has 14 pixel values, but 5 images of shape \[1, 1, 3\] need 15/);
    await expect(evaluateTop1(model, samples)).rejects.toBeInstanceOf(PeakPruneError);
    await expect(evaluateTop1(model, argmaxSamples(), { batchSize: 0 })).rejects.toMatchObject({ code: 'invalid-options' });
    model.dispose();
  });
});
