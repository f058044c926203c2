import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { PeakPruneError } from '../../src/core/errors';
import { describeChannels, prunableLayers, summarizeModel } from '../../src/core/topology';
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
    model.dispose();
  });

  it('explains why a conv is not prunable', () => {
    const cases: [string, tf.Sequential, RegExp][] = [
      ['output conv', convThen([]), /^its channels reach a model output through layer "c1"\.$/],
      ['trailing relu', convThen([tf.layers.reLU({ name: 'r' })]), /reach a model output through layer "r"/],
      ['softmax activation', convThen([tf.layers.activation({ activation: 'softmax', name: 'sm' }), tf.layers.conv2d({ filters: 2, kernelSize: 1 })]), /reach layer "sm" \(Activation\), which applies softmax over the channel axis/],
      ['Dropout noiseShape', convThen([tf.layers.dropout({ rate: 0.5, noiseShape: [1, 1, 1, 3], name: 'dn' }), tf.layers.conv2d({ filters: 2, kernelSize: 1 })]), /reach layer "dn" \(Dropout\), which has a noiseShape/],
    ];
    for (const [label, model, reason] of cases) {
      expect(reasonFor(model, 'c1'), label).toMatch(reason);
      expect(prunableLayers(model), label).toEqual([]);
      model.dispose();
    }
  });

  it('prunes convs before LeakyReLU, Dense on 4-D and BN on another axis', () => {
    const cases: [string, tf.Sequential][] = [
      ['LeakyReLU after', convThen([tf.layers.leakyReLU({ name: 'leaky' }), tf.layers.conv2d({ filters: 2, kernelSize: 1 })])],
      ['Dense on 4-D output', convThen([tf.layers.dense({ units: 2, name: 'd4' })])],
      ['BN on another axis', convThen([tf.layers.batchNormalization({ axis: 1, name: 'bnh' }), tf.layers.conv2d({ filters: 2, kernelSize: 1 })])],
    ];
    for (const [label, model] of cases) {
      expect(prunableLayers(model), label).toEqual(['c1']);
      model.dispose();
    }
  });

  it('prunes a channels-first conv', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [2, 4, 4], filters: 3, kernelSize: 1, dataFormat: 'channelsFirst', name: 'cf' }),
        tf.layers.conv2d({ filters: 2, kernelSize: 1, dataFormat: 'channelsFirst' }),
      ],
    });

    expect(reasonFor(model, 'cf')).toBeUndefined();
    expect(prunableLayers(model)).toEqual(['cf']);
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
    expect(error.message).toMatch(/has no convolution \(Conv1D, Conv2D or SeparableConv2D\) layer, so there is nothing to prune/);
    expect(summarizeModel(model)).toHaveLength(1);
    model.dispose();
  });
});

describe('graph models', () => {
  it('prunes the trunk of a branching model', () => {
    const input = tf.input({ shape: [4, 4, 1] });
    const trunk = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'trunk' }).apply(input) as tf.SymbolicTensor;
    const left = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'left' }).apply(trunk) as tf.SymbolicTensor;
    const right = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'right' }).apply(trunk) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [left, right] });

    expect(prunableLayers(model)).toEqual(['trunk']);
    expect(reasonFor(model, 'left')).toMatch(/reach a model output through layer "left"/);
    model.dispose();
  });

  it('keeps a conv whose merge is the model output', () => {
    const input = tf.input({ shape: [4, 4, 1] });
    const trunk = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'trunk' }).apply(input) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([trunk, trunk]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: sum });

    expect(prunableLayers(model)).toEqual([]);
    expect(reasonFor(model, 'trunk')).toMatch(/reach a model output through layer "sum"/);
    model.dispose();
  });

  it('lists a layer called twice as frozen', () => {
    const input = tf.input({ shape: [4, 4, 1] });
    const conv = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'c' }).apply(input) as tf.SymbolicTensor;
    const shared = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'shared' });
    const output = shared.apply(shared.apply(conv)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });

    expect(describeChannels(model).frozen).toEqual([
      { name: 'shared', className: 'Conv2D', reason: 'is called 2 times with shared weights, which pruning does not support yet' },
    ]);
    expect(prunableLayers(model)).toEqual([]);
    model.dispose();
  });
});
