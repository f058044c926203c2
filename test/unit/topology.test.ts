import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { PeakPruneError } from '../../src/core/errors';
import { prunableLayers, readChain, summarizeModel } from '../../src/core/topology';
import { buildConvBnDense, buildConvConvGap, buildFunctionalChain } from './helpers/tiny-models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Builds a Sequential model on 4×4×2 inputs: conv "c1" (3 filters, 1×1) followed by `after`. */
function convThen(after: tf.layers.Layer[]): tf.Sequential {
  return tf.sequential({
    layers: [tf.layers.conv2d({ inputShape: [4, 4, 2], filters: 3, kernelSize: 1, name: 'c1' }), ...after],
  });
}

function reasonFor(model: tf.LayersModel, layer: string): string | undefined {
  return summarizeModel(model).find((summary) => summary.name === layer)?.reason;
}

function errorOf(action: () => unknown): PeakPruneError {
  try {
    action();
  } catch (error) {
    if (error instanceof PeakPruneError) return error;
    throw error;
  }
  throw new Error('expected a PeakPruneError, but nothing was thrown');
}

describe('summarizeModel', () => {
  it('lists shapes, params and prunability', () => {
    const model = buildConvBnDense();

    const summaries = summarizeModel(model);

    expect(summaries.map((s) => [s.name, s.className, s.outputShape, s.params])).toEqual([
      ['c1', 'Conv2D', [6, 6, 4], 76],
      ['bn1', 'BatchNormalization', [6, 6, 4], 16],
      ['relu1', 'ReLU', [6, 6, 4], 0],
      ['pool1', 'MaxPooling2D', [3, 3, 4], 0],
      ['flat', 'Flatten', [36], 0],
      ['dense', 'Dense', [3], 111],
    ]);
    expect(summaries[0].prunable).toBe(true);
    expect(summaries[0].reason).toBeUndefined();
    expect(summaries.slice(1).every((s) => !s.prunable)).toBe(true);
    model.dispose();
  });

  it('includes the input layer of a functional chain', () => {
    const model = buildFunctionalChain();

    const summaries = summarizeModel(model);

    expect(summaries[0]).toMatchObject({ name: 'image', className: 'InputLayer', outputShape: [6, 6, 3], params: 0 });
    expect(summaries.filter((s) => s.prunable).map((s) => s.name)).toEqual(['c1', 'c2']);
    expect(readChain(model).kind).toBe('functional');
    model.dispose();
  });

  it('explains why a conv is not prunable', () => {
    const cases: [string, tf.Sequential, RegExp][] = [
      ['output conv', convThen([]), /^its output is the model output\.$/],
      ['trailing relu', convThen([tf.layers.reLU({ name: 'r' })]), /reaches the model output through layer "r"/],
      ['LeakyReLU after', convThen([tf.layers.leakyReLU({ name: 'leaky' }), tf.layers.conv2d({ filters: 2, kernelSize: 1 })]), /layer class LeakyReLU after it \(layer "leaky"\) is not supported yet/],
      ['Dense on 4-D output', convThen([tf.layers.dense({ units: 2, name: 'd4' })]), /Dense layer "d4" takes its 4-D output/],
      ['BN on another axis', convThen([tf.layers.batchNormalization({ axis: 1, name: 'bnh' }), tf.layers.conv2d({ filters: 2, kernelSize: 1 })]), /"bnh" after it does not normalize the channel axis/],
      ['Dropout noiseShape', convThen([tf.layers.dropout({ rate: 0.5, noiseShape: [1, 1, 1, 3], name: 'dn' }), tf.layers.conv2d({ filters: 2, kernelSize: 1 })]), /"dn" after it has a noiseShape/],
    ];
    for (const [label, model, reason] of cases) {
      expect(reasonFor(model, 'c1'), label).toMatch(reason);
      expect(prunableLayers(model), label).toEqual([]);
      model.dispose();
    }
  });

  it('rejects a channels-first conv', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [2, 4, 4], filters: 3, kernelSize: 1, dataFormat: 'channelsFirst', name: 'cf' }),
        tf.layers.conv2d({ filters: 2, kernelSize: 1, dataFormat: 'channelsFirst' }),
      ],
    });

    expect(reasonFor(model, 'cf')).toBe('channels-first convolutions are not supported yet.');
    model.dispose();
  });
});

describe('prunableLayers', () => {
  it('finds convs coupled to a conv or a Dense', () => {
    const cases: [string, tf.LayersModel, string[]][] = [
      ['conv → conv → global pooling → dense', buildConvConvGap(), ['c1', 'c2']],
      ['flatten, dropout, dense', convThen([tf.layers.flatten(), tf.layers.dropout({ rate: 0.1 }), tf.layers.dense({ units: 2 })]), ['c1']],
      ['global max pooling, BN, dense', convThen([tf.layers.globalMaxPooling2d({}), tf.layers.batchNormalization(), tf.layers.dense({ units: 2 })]), ['c1']],
      ['average pooling, activation, conv', convThen([tf.layers.averagePooling2d({ poolSize: 2 }), tf.layers.activation({ activation: 'tanh' }), tf.layers.conv2d({ filters: 2, kernelSize: 1 })]), ['c1']],
    ];
    for (const [label, model, expected] of cases) {
      expect(prunableLayers(model), label).toEqual(expected);
      model.dispose();
    }
  });

  it('rejects a model without convolutions', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2, name: 'only' })] });

    const error = errorOf(() => prunableLayers(model));

    expect(error.code).toBe('no-prunable-layers');
    expect(error.message).toMatch(/has no convolution \(Conv2D\) layer, so there is nothing to prune/);
    expect(summarizeModel(model)).toHaveLength(1);
    model.dispose();
  });
});

describe('readChain', () => {
  it('rejects a branching model', () => {
    const input = tf.input({ shape: [4, 4, 1] });
    const trunk = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'trunk' }).apply(input) as tf.SymbolicTensor;
    const left = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'left' }).apply(trunk) as tf.SymbolicTensor;
    const right = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'right' }).apply(trunk) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [left, right] });

    const error = errorOf(() => summarizeModel(model));

    expect(error.code).toBe('invalid-model');
    expect(error.message).toMatch(/^Layer "trunk" feeds 2 layers \(left, right\), but only sequential-style models/);
    model.dispose();
  });

  it('rejects a merge layer', () => {
    const input = tf.input({ shape: [4, 4, 1] });
    const trunk = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'trunk' }).apply(input) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([trunk, trunk]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: sum });

    const error = errorOf(() => prunableLayers(model));

    expect(error.code).toBe('invalid-model');
    expect(error.message).toMatch(/^Layer "sum" takes 2 inputs, but only sequential-style models/);
    model.dispose();
  });

  it('rejects a layer called twice', () => {
    const input = tf.input({ shape: [4] });
    const shared = tf.layers.dense({ units: 4, name: 'shared' });
    const output = shared.apply(shared.apply(input)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });

    const error = errorOf(() => readChain(model));

    expect(error.code).toBe('invalid-model');
    expect(error.message).toMatch(/^Layer "shared" is called 2 times/);
    model.dispose();
  });
});
