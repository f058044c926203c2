import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { analyzeModel } from '../../src/core/analyze';
import { PeakPruneError } from '../../src/core/errors';
import { evaluateTop1, modelMetrics } from '../../src/core/metrics';
import { removalCount } from '../../src/core/select';
import { measureSweepRun, type SweepContext } from '../../src/core/sweep';
import { DEFAULT_DPC_OPTIONS, type SampleSet } from '../../src/core/types';
import { buildFunctionalChain, chainParams, chainSamples, seedWeights } from './helpers/tiny-models';

const IMAGE_COUNT = 12;


let model: tf.LayersModel;
let samples: SampleSet;
let context: SweepContext;

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = buildFunctionalChain();
  seedWeights(model, 11);
  samples = chainSamples(IMAGE_COUNT);
  const analysis = await analyzeModel(model, samples, { dpc: { ...DEFAULT_DPC_OPTIONS, clusterCount: 2 } });
  context = {
    model,
    layers: analysis.layers,
    geometry: analysis.geometry,
    calibration: samples,
    evaluation: samples,
    minChannels: 1,
    recalibrationImages: IMAGE_COUNT,
    batchSize: 5,
  };
});

afterAll(() => {
  model.dispose();
});

describe('measureSweepRun', () => {
  it('measures the unpruned model at ratio 0', async () => {
    const { top1 } = await evaluateTop1(model, samples);
    const row = await measureSweepRun(context, { method: 'l1', seed: null, ratio: 0 });
    expect(row.filtersRemoved).toBe(0);
    expect(row.top1).toBe(top1);
    expect(row.params).toBe(modelMetrics(model).params);
    expect(row.params).toBe(chainParams(5, 4));
  });

  it('counts the parameters of the pruned model', async () => {
    const removed1 = removalCount(5, 0.5, 1);
    const removed2 = removalCount(4, 0.5, 1);
    const row = await measureSweepRun(context, { method: 'random', seed: 3, ratio: 0.5 });
    expect(row.method).toBe('random');
    expect(row.seed).toBe(3);
    expect(row.filtersRemoved).toBe(removed1 + removed2);
    expect(row.params).toBe(chainParams(5 - removed1, 4 - removed2));
    expect(row.top1).toBeGreaterThanOrEqual(0);
    expect(row.top1).toBeLessThanOrEqual(1);
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    await measureSweepRun(context, { method: 'dpc-apoz', seed: null, ratio: 0.5 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('disposes the pruned model on cancel', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let progressCalls = 0;
    // Aborting at the first progress report cancels after the rebuild, while BatchNormalization
    // is being re-estimated, so the pruned model exists when the run stops.
    const onProgress = () => {
      progressCalls += 1;
      controller.abort();
    };
    const pending = measureSweepRun(context, { method: 'l2', seed: null, ratio: 0.5 }, { signal: controller.signal, onProgress });
    await expect(pending).rejects.toBeInstanceOf(PeakPruneError);
    expect(progressCalls).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});
