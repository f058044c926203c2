import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { PeakPruneError } from '../../src/core/errors';
import { rebuildPruned } from '../../src/core/rebuild';
import type { RemovalMap } from '../../src/core/types';
import {
  buildConvBnDense,
  buildConvConvGap,
  buildFunctionalChain,
  maxAbsDiff,
  predictValues,
  seededInput,
  seedWeights,
  disposeAll,
} from './helpers/tiny-models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Builds a fresh copy of `build()` holding `source`'s weights after `edit` changed them. */
function referenceModel(
  build: () => tf.LayersModel,
  source: tf.LayersModel,
  edit: (name: string, values: Float32Array, shape: number[]) => void,
): tf.LayersModel {
  const reference = build();
  const weights = source.weights.map((weight) => {
    const values = Float32Array.from(weight.read().dataSync());
    const shape = weight.shape as number[];
    edit(weight.originalName, values, shape);
    return tf.tensor(values, shape);
  });
  reference.setWeights(weights);
  tf.dispose(weights);
  return reference;
}

/** Zeroes kernel[h][w][c][:] of a conv kernel of shape [kh, kw, cin, cout] for each c in `channels`. */
function zeroInputChannels(values: Float32Array, shape: number[], channels: number[]): void {
  const [kh, kw, cin, cout] = shape;
  for (let i = 0; i < kh * kw; i++) {
    for (const c of channels) values.fill(0, (i * cin + c) * cout, (i * cin + c + 1) * cout);
  }
}

/** Zeroes whole rows of a Dense kernel of shape [in, out]. */
function zeroRows(values: Float32Array, shape: number[], rows: number[]): void {
  const units = shape[1];
  for (const row of rows) values.fill(0, row * units, (row + 1) * units);
}

/** Rows of a Dense layer after Flatten of an [height, width, channels] tensor that carry `removed`. */
function flattenedRows(height: number, width: number, channels: number, removed: number[]): number[] {
  const rows: number[] = [];
  for (let h = 0; h < height; h++) {
    for (let w = 0; w < width; w++) {
      for (const c of removed) rows.push((h * width + w) * channels + c);
    }
  }
  return rows;
}

function weightShape(model: tf.LayersModel, layer: string, index: number): number[] {
  return model.getLayer(layer).weights[index].shape as number[];
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof PeakPruneError ? error.code : `not a PeakPruneError: ${String(error)}`;
  }
  return undefined;
}

describe('rebuildPruned', () => {
  it('copies the model unchanged for an empty removal map', () => {
    for (const build of [buildConvBnDense, buildConvConvGap, buildFunctionalChain]) {
      const model = build();
      seedWeights(model, 11);
      const input = seededInput(model.inputs[0].shape.slice(1) as [number, number, number], 3, 5);

      const copy = rebuildPruned(model, {});

      expect(copy).not.toBe(model);
      expect(copy.layers.map((layer) => layer.name)).toEqual(model.layers.map((layer) => layer.name));
      expect(copy.countParams()).toBe(model.countParams());
      expect(maxAbsDiff(predictValues(copy, input), predictValues(model, input))).toBeLessThan(1e-6);
      disposeAll(model, copy, input);
    }
  });

  it('keeps outputs when removing all-zero filters', () => {
    const model = buildConvConvGap();
    seedWeights(model, 3);
    const zeroed = referenceModel(buildConvConvGap, model, (name, values, shape) => {
      const cout = shape[shape.length - 1];
      const zeroFilters = name.startsWith('c1/') ? [1, 3] : name.startsWith('c2/') ? [0] : [];
      for (const filter of zeroFilters) {
        for (let i = filter; i < values.length; i += cout) values[i] = 0;
      }
    });
    const input = seededInput([5, 5, 2], 4, 9);

    const pruned = rebuildPruned(zeroed, { c1: [1, 3], c2: [0] });

    const expected = predictValues(zeroed, input);
    expect(maxAbsDiff(predictValues(pruned, input), expected)).toBeLessThan(1e-5);
    expect(maxAbsDiff(predictValues(model, input), expected)).toBeGreaterThan(1e-3);
    disposeAll(model, zeroed, pruned, input);
  });

  it('maps channels to Dense rows after Flatten', () => {
    const model = buildConvBnDense();
    seedWeights(model, 21);
    const removed = [1, 3];
    const reference = referenceModel(buildConvBnDense, model, (name, values, shape) => {
      if (name === 'dense/kernel') zeroRows(values, shape, flattenedRows(3, 3, 4, removed));
    });
    const input = seededInput([6, 6, 2], 4, 8);

    const pruned = rebuildPruned(model, { c1: removed });

    const expected = predictValues(reference, input);
    expect(maxAbsDiff(predictValues(pruned, input), expected)).toBeLessThan(1e-5);
    expect(maxAbsDiff(predictValues(model, input), expected)).toBeGreaterThan(1e-3);
    disposeAll(model, reference, pruned, input);
  });

  it('prunes two layers of a functional chain', () => {
    const model = buildFunctionalChain();
    seedWeights(model, 33);
    const removal: RemovalMap = { c1: [0, 2], c2: [1] };
    const reference = referenceModel(buildFunctionalChain, model, (name, values, shape) => {
      if (name === 'c2/kernel') zeroInputChannels(values, shape, [0, 2]);
      if (name === 'dense/kernel') zeroRows(values, shape, flattenedRows(3, 3, 4, [1]));
    });
    const input = seededInput([6, 6, 3], 3, 4);

    const pruned = rebuildPruned(model, removal);

    expect(weightShape(pruned, 'bn1', 0)).toEqual([3]);
    expect(pruned.getLayer('bn1').weights).toHaveLength(2);
    expect(weightShape(pruned, 'c2', 0)).toEqual([3, 3, 3, 3]);
    expect(weightShape(pruned, 'bn2', 0)).toEqual([3]);
    expect(weightShape(pruned, 'dense', 0)).toEqual([27, 3]);
    const expected = predictValues(reference, input);
    expect(maxAbsDiff(predictValues(pruned, input), expected)).toBeLessThan(1e-5);
    expect(maxAbsDiff(predictValues(model, input), expected)).toBeGreaterThan(1e-3);
    disposeAll(model, reference, pruned, input);
  });

  it('shrinks shapes and params by the hand-computed amount', () => {
    const gapModel = buildConvConvGap();
    const prunedGap = rebuildPruned(gapModel, { c1: [0], c2: [2] });

    expect(weightShape(prunedGap, 'c1', 0)).toEqual([3, 3, 2, 3]);
    expect(weightShape(prunedGap, 'c1', 1)).toEqual([3]);
    expect(weightShape(prunedGap, 'c2', 0)).toEqual([3, 3, 3, 2]);
    expect(weightShape(prunedGap, 'dense', 0)).toEqual([2, 2]);
    expect((prunedGap.getLayer('c2').input as tf.SymbolicTensor).shape).toEqual([null, 5, 5, 3]);
    expect((prunedGap.getLayer('dense').input as tf.SymbolicTensor).shape).toEqual([null, 2]);
    // c1 76 → 57, c2 111 → 56, dense 8 → 6.
    expect(gapModel.countParams() - prunedGap.countParams()).toBe(19 + 55 + 2);

    const bnModel = buildConvBnDense();
    const prunedBn = rebuildPruned(bnModel, { c1: [1, 3] });

    expect(weightShape(prunedBn, 'c1', 0)).toEqual([3, 3, 2, 2]);
    expect(prunedBn.getLayer('bn1').weights.map((weight) => weight.shape)).toEqual([[2], [2], [2], [2]]);
    expect(weightShape(prunedBn, 'dense', 0)).toEqual([18, 3]);
    // c1 76 → 38, bn1 16 → 8, dense 111 → 57.
    expect(bnModel.countParams() - prunedBn.countParams()).toBe(38 + 8 + 54);
    disposeAll(gapModel, prunedGap, bnModel, prunedBn);
  });

  it('exports a pruned model that predicts the same', async () => {
    const model = buildConvBnDense();
    seedWeights(model, 5);
    const pruned = rebuildPruned(model, { c1: [0] });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await pruned.save(
      tf.io.withSaveHandler(async (saved) => {
        artifacts = saved;
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(saved) };
      }),
    );
    const input = seededInput([6, 6, 2], 2, 6);

    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));

    expect(loaded.layers.map((layer) => layer.name)).toEqual(pruned.layers.map((layer) => layer.name));
    expect(maxAbsDiff(predictValues(loaded, input), predictValues(pruned, input))).toBeLessThan(1e-6);
    disposeAll(model, pruned, loaded, input);
  });

  it('leaks no tensors and leaves the original intact', () => {
    const before = tf.memory().numTensors;
    const model = buildFunctionalChain();
    seedWeights(model, 13);
    const input = seededInput([6, 6, 3], 2, 1);
    const originalOutput = predictValues(model, input);
    const originalKernel = model.getLayer('c1').getWeights()[0].dataSync().slice();
    const beforeRebuild = tf.memory().numTensors;

    const pruned = rebuildPruned(model, { c1: [4], c2: [0, 3] });

    expect(tf.memory().numTensors - beforeRebuild).toBe(pruned.weights.length);
    expect(model.getLayer('c1').getWeights()[0].dataSync()).toEqual(originalKernel);
    expect(maxAbsDiff(predictValues(model, input), originalOutput)).toBe(0);
    const prunedOutput = predictValues(pruned, input);
    model.dispose();
    expect(maxAbsDiff(predictValues(pruned, input), prunedOutput)).toBe(0);
    pruned.dispose();
    input.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects invalid removal lists', () => {
    const model = buildConvConvGap();
    const before = tf.memory().numTensors;
    const cases: [string, RemovalMap][] = [
      ['index out of range', { c1: [4] }],
      ['negative index', { c1: [-1] }],
      ['fractional index', { c1: [1.5] }],
      ['duplicate index', { c2: [1, 1] }],
      ['every filter removed', { c2: [0, 1, 2] }],
      ['unknown layer', { nope: [0] }],
      ['non-conv layer', { dense: [0] }],
    ];
    for (const [label, removal] of cases) {
      expect(codeOf(() => rebuildPruned(model, removal)), label).toBe('invalid-options');
    }
    expect(() => rebuildPruned(model, { c1: [9] })).toThrow(/Layer "c1" has 4 filters, so filter index 9 is out of range/);
    expect(() => rebuildPruned(model, { c2: [0, 1, 2] })).toThrow(/"c2" would keep no filters/);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('rejects a conv that is the model output', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 1, name: 'c1' }),
        tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'last' }),
      ],
    });

    expect(codeOf(() => rebuildPruned(model, { last: [0] }))).toBe('invalid-options');
    expect(() => rebuildPruned(model, { last: [0] })).toThrow(/Layer "last" cannot be pruned: its channels reach a model output/);
    model.dispose();
  });
});
