import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { analyzeModel, type ModelAnalysis } from '../../src/core/analyze';
import { PeakPruneError } from '../../src/core/errors';
import { layerSensitivity, proposeLayerRatios, type SensitivityRow } from '../../src/core/sensitivity';
import { DEFAULT_DPC_OPTIONS, type SampleSet } from '../../src/core/types';
import { buildConvConvGap, buildFunctionalChain, seededInput, seedWeights } from './helpers/tiny-models';

function row(layer: string, ratio: number, top1: number): SensitivityRow {
  return { layer, ratio, params: 0, flops: 0, top1 };
}

describe('proposeLayerRatios', () => {
  const ratios = [0.2, 0.4, 0.6];

  it('takes the largest ratio when all pass', () => {
    const rows = [row('a', 0.2, 0.9), row('a', 0.4, 0.9), row('a', 0.6, 0.89)];
    expect(proposeLayerRatios(rows, 0.9, 0.02, ratios)).toEqual({ a: 0.6 });
  });

  it('returns 0 when none pass', () => {
    const rows = [row('a', 0.2, 0.5), row('a', 0.4, 0.4), row('b', 0.2, 0.9)];
    expect(proposeLayerRatios(rows, 0.9, 0.02, ratios)).toEqual({ a: 0, b: 0.2 });
  });

  it('accepts a drop equal to the maximum', () => {
    // 0.9 − 0.88 is 0.020000000000000018 in float64, which must still count as a 0.02 drop.
    const rows = [row('a', 0.2, 0.88), row('a', 0.4, 0.87)];
    expect(proposeLayerRatios(rows, 0.9, 0.02, ratios)).toEqual({ a: 0.2 });
  });

  it('breaks ties toward the larger ratio', () => {
    const rows = [row('a', 0.4, 0.85), row('a', 0.2, 0.85), row('a', 0.6, 0.7)];
    expect(proposeLayerRatios(rows, 0.86, 0.02, ratios)).toEqual({ a: 0.4 });
  });

  it('takes the largest passing ratio on a noisy curve', () => {
    const rows = [row('a', 0.2, 0.9), row('a', 0.4, 0.8), row('a', 0.6, 0.9)];
    expect(proposeLayerRatios(rows, 0.9, 0.02, ratios)).toEqual({ a: 0.6 });
  });

  it('ignores ratios not listed', () => {
    const rows = [row('a', 0.2, 0.9), row('a', 0.8, 0.9)];
    expect(proposeLayerRatios(rows, 0.9, 0.02, ratios)).toEqual({ a: 0.2 });
  });

  it.each([-0.01, Number.NaN])('rejects maximum drop %s', (maxDrop) => {
    expect(() => proposeLayerRatios([], 0.9, maxDrop, ratios)).toThrow(PeakPruneError);
  });
});

/** Labels every image with the unpruned model's own prediction, so that its top-1 is exactly 1. */
function selfLabelledSamples(model: tf.LayersModel, shape: [number, number, number], count: number, seed: number): SampleSet {
  const input = seededInput(shape, count, seed);
  const pixels = input.dataSync() as Float32Array;
  const labels = tf.tidy(() => tf.argMax(model.predict(input) as tf.Tensor, -1).dataSync());
  input.dispose();
  return { pixels: Float32Array.from(pixels), shape, labels: Int32Array.from(labels), classNames: ['a', 'b', 'c'] };
}

describe('layerSensitivity without BatchNormalization', () => {
  let model: tf.LayersModel;
  let analysis: ModelAnalysis;
  let samples: SampleSet;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    model = buildConvConvGap();
    seedWeights(model, 5);
    samples = selfLabelledSamples(model, [5, 5, 2], 12, 9);
    analysis = await analyzeModel(model, samples, { dpc: DEFAULT_DPC_OPTIONS });
  });

  afterAll(() => model.dispose());

  it('shrinks only the named layer', async () => {
    const before = tf.memory().numTensors;
    const rows = await layerSensitivity(model, analysis, samples, { method: 'l1', ratios: [0, 0.5] });
    expect(tf.memory().numTensors).toBe(before);

    // c1 (4 filters) loses k: 46·(4 − k) + 11 parameters and 693·(4 − k) + 6 multiply-adds.
    // c2 (3 filters) loses k: 78 + 39·(3 − k) parameters and 1800 + 326·(3 − k) multiply-adds.
    // Ratio 0.5 removes round(2) = 2 of c1's filters and round(1.5) = 2 of c2's.
    expect(rows.map((r) => [r.layer, r.ratio, r.params, r.flops])).toEqual([
      ['c1', 0, 195, 2778],
      ['c1', 0.5, 46 * 2 + 11, 693 * 2 + 6],
      ['c2', 0, 195, 2778],
      ['c2', 0.5, 78 + 39 * 1, 1800 + 326 * 1],
    ]);
    for (const r of rows.filter((r) => r.ratio === 0)) expect(r.top1).toBe(1);
  });

  it('stops when cancelled between points', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const points: string[] = [];
    const run = layerSensitivity(model, analysis, samples, {
      method: 'l1',
      ratios: [0, 0.5],
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.detail !== undefined) points.push(progress.detail);
        if (progress.done > 0) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(points).toEqual(['c1 ratio 0', 'c1 ratio 0.5']);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects an unknown layer', async () => {
    const run = layerSensitivity(model, analysis, samples, { method: 'l1', ratios: [0.5], layers: ['c9'] });
    await expect(run).rejects.toMatchObject({ code: 'invalid-options' });
  });

  it('rejects re-estimation without calibration images', async () => {
    const run = layerSensitivity(model, analysis, samples, { method: 'l1', ratios: [0.5], recalibrationImages: 4 });
    await expect(run).rejects.toMatchObject({ code: 'invalid-options' });
  });
});

describe('layerSensitivity with BatchNormalization', () => {
  it('re-estimates statistics without leaks', async () => {
    await tf.setBackend('cpu');
    const model = buildFunctionalChain();
    seedWeights(model, 3);
    const samples = selfLabelledSamples(model, [6, 6, 3], 10, 4);
    const analysis = await analyzeModel(model, samples, { dpc: DEFAULT_DPC_OPTIONS });

    const before = tf.memory().numTensors;
    const rows = await layerSensitivity(model, analysis, samples, {
      method: 'dpc-apoz',
      ratios: [0, 0.5],
      recalibrationImages: 8,
      calibration: samples,
      batchSize: 4,
    });
    expect(tf.memory().numTensors).toBe(before);

    // c1 (5 filters) loses k: 66·(5 − k) + 131 parameters. c2 (4 filters) loses k: 153 + 77·(4 − k).
    // Ratio 0.5 removes round(2.5) = 3 of c1's filters and 2 of c2's.
    expect(rows.map((r) => [r.layer, r.ratio, r.params])).toEqual([
      ['c1', 0, 461],
      ['c1', 0.5, 66 * 2 + 131],
      ['c2', 0, 461],
      ['c2', 0.5, 153 + 77 * 2],
    ]);
    // A plan that removes nothing skips the re-estimation, so ratio 0 keeps the unpruned top-1.
    for (const r of rows.filter((r) => r.ratio === 0)) expect(r.top1).toBe(1);
    model.dispose();
  });
});
