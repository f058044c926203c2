import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { PeakPruneError } from '../../src/core/errors';
import { DEFAULT_FINE_TUNE_SETTINGS, fineTune, splitHeldOut, type FineTuneOptions } from '../../src/core/finetune';
import type { SampleSet } from '../../src/core/types';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 8×8×1 images: class 0 is bright in the left half, class 1 in the right half, plus seeded noise. */
function halves(count: number, seed: number): SampleSet {
  let state = seed;
  const noise = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state / 2147483648 - 0.5) * 0.4;
  };
  const pixels = new Float32Array(count * 64);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 2;
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const bright = (x < 4) === (labels[i] === 0);
        pixels[i * 64 + y * 8 + x] = (bright ? 1 : 0) + noise();
      }
    }
  }
  return { pixels, labels, shape: [8, 8, 1], classNames: ['left', 'right'] };
}

/** Conv → BatchNormalization → ReLU → Dropout → Dense softmax, seeded so every run starts alike. */
function tinyNet(seed: number): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed }) }));
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.activation({ activation: 'relu' }));
  model.add(tf.layers.dropout({ rate: 0.2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  return model;
}

function options(overrides: Partial<FineTuneOptions>): FineTuneOptions {
  return { ...DEFAULT_FINE_TUNE_SETTINGS, batchSize: 8, learningRate: 0.01, validationFraction: 0.25, ...overrides };
}

function weightValues(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((weight) => weight.dataSync().slice() as Float32Array);
}

describe('fineTune', () => {
  it('lowers the loss and raises held-out accuracy', async () => {
    const model = tinyNet(1);
    const losses: number[] = [];
    const result = await fineTune(model, halves(64, 3), options({ epochs: 4, patience: 10, onBatch: (m) => losses.push(m.loss) }));

    expect(losses).toHaveLength(4 * 6); // 48 training images in batches of 8
    const firstEpoch = losses.slice(0, 6).reduce((a, b) => a + b) / 6;
    const lastEpoch = losses.slice(-6).reduce((a, b) => a + b) / 6;
    expect(lastEpoch).toBeLessThan(firstEpoch);
    expect(result.history).toHaveLength(4);
    expect(result.history[3].trainLoss).toBeLessThan(result.history[0].trainLoss);
    const finalAccuracy = Math.max(...result.history.map((m) => m.heldOutAccuracy ?? 0));
    expect(finalAccuracy).toBeGreaterThan(result.initialHeldOutAccuracy ?? 1);
    expect(finalAccuracy).toBeGreaterThanOrEqual(0.9);
    model.dispose();
  });

  it('trains a model that outputs logits', async () => {
    const model = tf.sequential();
    model.add(tf.layers.flatten({ inputShape: [8, 8, 1] }));
    model.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 11 }) }));
    const losses: number[] = [];
    const result = await fineTune(model, halves(64, 12), options({ epochs: 3, patience: 10, onBatch: (m) => losses.push(m.loss) }));
    // Softmax cross-entropy of two logits starts near ln 2 ≈ 0.69 for small random weights.
    expect(losses[0]).toBeGreaterThan(0.3);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    expect(result.history[2].heldOutAccuracy).toBeGreaterThanOrEqual(0.9);
    model.dispose();
  });

  it('leaves no tensors behind', async () => {
    const model = tinyNet(2);
    const before = tf.memory().numTensors;
    await fineTune(model, halves(32, 4), options({ epochs: 2, optimizer: 'momentum' }));
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('stops on cancel without leaking', async () => {
    const model = tinyNet(3);
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    let batches = 0;
    const run = fineTune(
      model,
      halves(64, 5),
      options({
        epochs: 3,
        signal: controller.signal,
        onBatch: () => {
          batches++;
          if (batches === 2) controller.abort();
        },
      }),
    );
    await expect(run).rejects.toSatisfy((error) => error instanceof PeakPruneError && error.code === 'cancelled');
    expect(batches).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('restores the best weights on early stop', async () => {
    const model = tinyNet(4);
    const samples = halves(64, 6);
    let afterFirstEpoch: Float32Array[] = [];
    const zeroAll = () => {
      const zeros = model.getWeights().map((weight) => tf.zerosLike(weight));
      model.setWeights(zeros);
      zeros.forEach((zero) => zero.dispose());
    };
    const result = await fineTune(
      model,
      samples,
      options({
        epochs: 6,
        patience: 2,
        // From epoch 2 on, every step is followed by zeroing every weight, so the held-out
        // accuracy falls to the share of class 0 (argmax of equal scores is 0).
        onBatch: (m) => {
          if (m.epoch >= 2) zeroAll();
        },
        onEpoch: (m) => {
          if (m.epoch === 1) afterFirstEpoch = weightValues(model);
        },
      }),
    );

    expect(result.history[0].heldOutAccuracy).toBeGreaterThan(0.75);
    expect(result.history[1].heldOutAccuracy).toBeLessThan(0.75);
    expect(result.epochsRun).toBe(3);
    expect(result.stoppedEarly).toBe(true);
    expect(result.bestEpoch).toBe(1);
    const restored = weightValues(model);
    expect(restored).toHaveLength(afterFirstEpoch.length);
    restored.forEach((values, i) => expect(Array.from(values)).toEqual(Array.from(afterFirstEpoch[i])));
    model.dispose();
  });

  it('runs every epoch without held-out images', async () => {
    const model = tinyNet(7);
    const result = await fineTune(model, halves(16, 13), options({ epochs: 3, patience: 1, validationFraction: 0 }));
    expect(result.heldOutImages).toBe(0);
    expect(result.trainImages).toBe(16);
    expect(result.epochsRun).toBe(3);
    expect(result.bestEpoch).toBe(3);
    expect(result.stoppedEarly).toBe(false);
    expect(result.history.map((m) => m.heldOutAccuracy)).toEqual([null, null, null]);
    model.dispose();
  });

  it('changes nothing when epochs is 0', async () => {
    const model = tinyNet(5);
    const before = weightValues(model);
    const tensors = tf.memory().numTensors;
    const result = await fineTune(model, halves(16, 7), options({ epochs: 0 }));
    expect(result.epochsRun).toBe(0);
    expect(result.history).toEqual([]);
    weightValues(model).forEach((values, i) => expect(Array.from(values)).toEqual(Array.from(before[i])));
    expect(tf.memory().numTensors).toBe(tensors);
    model.dispose();
  });

  it('rejects invalid settings', async () => {
    const model = tinyNet(6);
    await expect(fineTune(model, halves(16, 8), options({ batchSize: 0 }))).rejects.toThrow(/Batch size 0/);
    await expect(fineTune(model, halves(16, 8), options({ validationFraction: 1 }))).rejects.toThrow(/Held-out fraction 1/);
    model.dispose();
  });
});

describe('splitHeldOut', () => {
  it('splits disjointly and reproducibly', () => {
    const samples = halves(20, 9);
    const first = splitHeldOut(samples, 0.1, 7);
    const second = splitHeldOut(samples, 0.1, 7);
    expect(first.heldOut?.labels.length).toBe(2);
    expect(first.train.labels.length).toBe(18);
    expect(Array.from(first.heldOut?.pixels ?? [])).toEqual(Array.from(second.heldOut?.pixels ?? []));
    // Every image's first pixel is distinct (noise), so the two parts share no image.
    const heldOutFirstPixels = new Set(Array.from({ length: 2 }, (_, i) => first.heldOut?.pixels[i * 64]));
    for (let i = 0; i < 18; i++) expect(heldOutFirstPixels.has(first.train.pixels[i * 64])).toBe(false);
  });

  it('keeps everything for training at fraction 0', () => {
    const samples = halves(10, 10);
    expect(splitHeldOut(samples, 0, 1).heldOut).toBeUndefined();
    expect(splitHeldOut(samples, 0, 1).train).toBe(samples);
  });
});
