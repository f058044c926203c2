import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { recalibrateBatchNorm } from '../../src/core/batchnorm';
import { PeakPruneError } from '../../src/core/errors';
import type { SampleSet } from '../../src/core/types';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Two 2×2 images with two channels: channel 0 contains 1…8, channel 1 is 3 everywhere. */
function twoImages(): SampleSet {
  const pixels = new Float32Array(16);
  for (let i = 0; i < 8; i++) {
    pixels[i * 2] = i + 1;
    pixels[i * 2 + 1] = 3;
  }
  return { pixels, shape: [2, 2, 2], labels: new Int32Array([0, 1]), classNames: ['a', 'b'] };
}

function movingStatistics(layer: tf.layers.Layer): { mean: number[]; variance: number[] } {
  const weights = layer.getWeights();
  return {
    mean: Array.from(weights[weights.length - 2].dataSync()),
    variance: Array.from(weights[weights.length - 1].dataSync()),
  };
}

describe('recalibrateBatchNorm', () => {
  it('sets the input mean and population variance', async () => {
    const model = tf.sequential({ layers: [tf.layers.batchNormalization({ inputShape: [2, 2, 2], name: 'bn' })] });
    const before = tf.memory().numTensors;

    const updated = await recalibrateBatchNorm(model, twoImages());

    // Channel 0: mean of 1…8 = 4.5, population variance (8² − 1) / 12 = 5.25. Channel 1: 3 and 0.
    expect(updated).toEqual(['bn']);
    const { mean, variance } = movingStatistics(model.getLayer('bn'));
    expect(mean[0]).toBeCloseTo(4.5, 5);
    expect(mean[1]).toBeCloseTo(3, 5);
    expect(variance[0]).toBeCloseTo(5.25, 4);
    expect(variance[1]).toBeCloseTo(0, 5);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('handles layers without gamma and beta', async () => {
    const model = tf.sequential({
      layers: [tf.layers.batchNormalization({ inputShape: [2, 2, 2], center: false, scale: false, name: 'bn' })],
    });
    await recalibrateBatchNorm(model, twoImages());
    const { mean, variance } = movingStatistics(model.getLayer('bn'));
    expect(model.getLayer('bn').getWeights()).toHaveLength(2);
    expect(mean[0]).toBeCloseTo(4.5, 5);
    expect(variance[0]).toBeCloseTo(5.25, 4);
    model.dispose();
  });

  it('measures later layers after earlier ones', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 3, kernelSize: 3, padding: 'same', name: 'c1', kernelInitializer: tf.initializers.randomNormal({ seed: 1 }) }),
        tf.layers.batchNormalization({ name: 'bn1' }),
        tf.layers.activation({ activation: 'relu', name: 'r1' }),
        tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'c2', kernelInitializer: tf.initializers.randomNormal({ seed: 2 }) }),
        tf.layers.batchNormalization({ name: 'bn2' }),
      ],
    });
    const pixels = Float32Array.from({ length: 3 * 16 }, (_, i) => Math.sin(i * 0.7) + 0.5);
    const samples: SampleSet = { pixels, shape: [4, 4, 1], labels: new Int32Array(3), classNames: ['x'] };

    await recalibrateBatchNorm(model, samples, { batchSize: 2 });

    // Reference: bn2's input after bn1 was re-estimated, reduced in float64.
    const probe = tf.model({ inputs: model.inputs, outputs: model.getLayer('c2').output as tf.SymbolicTensor });
    const input = tf.tensor4d(pixels, [3, 4, 4, 1]);
    const activations = probe.predict(input) as tf.Tensor;
    const values = activations.dataSync();
    input.dispose();
    activations.dispose();
    for (let c = 0; c < 2; c++) {
      const channel = Array.from(values).filter((_, i) => i % 2 === c);
      const mean = channel.reduce((a, b) => a + b, 0) / channel.length;
      const variance = channel.reduce((a, b) => a + (b - mean) ** 2, 0) / channel.length;
      const stats = movingStatistics(model.getLayer('bn2'));
      expect(stats.mean[c]).toBeCloseTo(mean, 4);
      expect(stats.variance[c]).toBeCloseTo(variance, 4);
    }
    model.dispose();
  });

  it('stops when cancelled and leaks nothing', async () => {
    const model = tf.sequential({ layers: [tf.layers.batchNormalization({ inputShape: [2, 2, 2], name: 'bn' })] });
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    controller.abort();
    const error = await recalibrateBatchNorm(model, twoImages(), { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PeakPruneError);
    expect((error as PeakPruneError).code).toBe('cancelled');
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('needs two images', async () => {
    const model = tf.sequential({ layers: [tf.layers.batchNormalization({ inputShape: [2, 2, 2], name: 'bn' })] });
    const one: SampleSet = { ...twoImages(), labels: new Int32Array([0]), pixels: twoImages().pixels.slice(0, 8) };
    await expect(recalibrateBatchNorm(model, one)).rejects.toThrow(/at least 2/);
    model.dispose();
  });
});
