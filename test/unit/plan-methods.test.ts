// Every pruning method on a real (tiny) model: planning, rebuilding and the figures that follow.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { analyzeModel, type ModelAnalysis } from '../../src/core/analyze';
import { PRUNE_METHODS } from '../../src/core/criteria';
import { evaluateTop1, modelMetrics } from '../../src/core/metrics';
import { planPruning, toRemovalMap } from '../../src/core/plan';
import { rebuildPruned } from '../../src/core/rebuild';
import { removalCount, selectByNorm } from '../../src/core/select';
import { DEFAULT_DPC_OPTIONS, type PlanOptions, type PruneMethod, type SampleSet } from '../../src/core/types';
import { buildFunctionalChain, chainParams, chainSamples, maxAbsDiff, predictValues, seedWeights } from './helpers/tiny-models';

const RATIOS = [0, 0.25, 0.5, 0.75];
const IMAGE_COUNT = 12;


let model: tf.LayersModel;
let samples: SampleSet;
let analysis: ModelAnalysis;
let unprunedTop1: number;

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = buildFunctionalChain();
  seedWeights(model, 11);
  samples = chainSamples(IMAGE_COUNT);
  // Two clusters per layer, so that the per-cluster quotas matter.
  analysis = await analyzeModel(model, samples, { dpc: { ...DEFAULT_DPC_OPTIONS, clusterCount: 2 } });
  unprunedTop1 = (await evaluateTop1(model, samples)).top1;
});

afterAll(() => {
  model.dispose();
});

function plan(method: PruneMethod, ratio: number, seed = 0) {
  const options: PlanOptions = { method, ratio, minChannels: 1, seed };
  return planPruning(analysis.layers, options, {}, analysis.geometry);
}

describe('every method on a tiny model', () => {
  it('matches the hand-counted parameters', () => {
    expect(model.countParams()).toBe(chainParams(5, 4));
    expect(modelMetrics(model).params).toBe(chainParams(5, 4));
  });

  it.each(PRUNE_METHODS)('%s removes nothing at ratio 0', async (method) => {
    const tensorsBefore = tf.memory().numTensors;
    const zero = plan(method, 0);
    for (const layer of zero.layers) expect(layer.removed).toEqual([]);

    const pruned = rebuildPruned(model, toRemovalMap(zero));
    try {
      const input = tf.tensor4d(samples.pixels, [IMAGE_COUNT, 6, 6, 3]);
      expect(maxAbsDiff(predictValues(pruned, input), predictValues(model, input))).toBe(0);
      input.dispose();
      expect((await evaluateTop1(pruned, samples)).top1).toBe(unprunedTop1);
    } finally {
      pruned.dispose();
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it.each(PRUNE_METHODS)('%s gives the predicted parameter count', (method) => {
    const tensorsBefore = tf.memory().numTensors;
    for (const ratio of RATIOS) {
      const result = plan(method, ratio);
      const [k1, k2] = result.layers.map((layer) => layer.filters - layer.removed.length);
      const pruned = rebuildPruned(model, toRemovalMap(result));
      try {
        expect(pruned.countParams()).toBe(chainParams(k1, k2));
        expect(modelMetrics(pruned).params).toBe(chainParams(k1, k2));
      } finally {
        pruned.dispose();
      }
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('removes the requested count with layer-wide methods', () => {
    for (const method of ['l1', 'l2', 'apoz', 'random', 'fpgm', 'density-peak'] as const) {
      for (const ratio of RATIOS) {
        for (const layer of plan(method, ratio).layers) {
          expect(layer.removed).toHaveLength(removalCount(layer.filters, ratio, 1));
          expect(new Set(layer.removed).size).toBe(layer.removed.length);
        }
      }
    }
  });

  it('keeps every cluster with per-cluster methods', () => {
    expect(analysis.layers.map((layer) => layer.dpc.centers.length)).toEqual([2, 2]);
    for (const method of ['dpc-apoz', 'dpc-l1'] as const) {
      for (const ratio of RATIOS) {
        plan(method, ratio).layers.forEach((layer, i) => {
          const labels = analysis.layers[i].dpc.labels;
          const kept = new Set<number>();
          for (let f = 0; f < layer.filters; f++) if (!layer.removed.includes(f)) kept.add(labels[f]);
          expect(kept.size).toBe(analysis.layers[i].dpc.centers.length);
          // Each of the two clusters keeps a member, so at most n − 2 filters go.
          expect(layer.removed).toHaveLength(Math.min(removalCount(layer.filters, ratio, 1), layer.filters - 2));
        });
      }
    }
  });

  it('plans l1 as the L1 baseline did', () => {
    for (const ratio of RATIOS) {
      plan('l1', ratio).layers.forEach((layer, i) => {
        const count = removalCount(layer.filters, ratio, 1);
        expect(layer.removed).toEqual(selectByNorm(analysis.layers[i].l1, count));
      });
    }
  });

  it('plans random deterministically per seed', () => {
    expect(plan('random', 0.5, 4)).toEqual(plan('random', 0.5, 4));
    const bySeed = [0, 1, 2, 3].map((seed) => JSON.stringify(plan('random', 0.5, seed).layers.map((layer) => layer.removed)));
    expect(new Set(bySeed).size).toBeGreaterThan(1);
  });
});
