// Pruning of every layer construct the channel graph handles, each checked against the
// unpruned model with the removed channels zeroed by hand.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { rebuildPruned } from '../../src/core/rebuild';
import { prunableLayers, summarizeModel } from '../../src/core/topology';
import type { RemovalMap } from '../../src/core/types';
import { lcg, maxAbsDiff, seedWeights } from './helpers/tiny-models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SEED = 7;
const IMAGE: [number, number, number] = [6, 6, 3];

/** Zeroes the given indices along `axis` of one weight: a producer's filters or a consumer's input rows. */
interface Mask {
  layer: string;
  /** Name of the nested model that contains the layer, if any. */
  inside?: string;
  weight: number;
  axis: number;
  indices: number[];
}

/** Zeroes filters and bias entries of a convolution, that is, its output channels. */
function filters(layer: string, indices: number[], kernelRank = 4): Mask[] {
  return [
    { layer, weight: 0, axis: kernelRank - 1, indices },
    { layer, weight: 1, axis: 0, indices },
  ];
}

function zeroAlong(values: Float32Array, shape: number[], axis: number, indices: number[]): void {
  const stride = shape.slice(axis + 1).reduce((product, dim) => product * dim, 1);
  const wanted = new Set(indices);
  for (let e = 0; e < values.length; e++) if (wanted.has(Math.floor(e / stride) % shape[axis])) values[e] = 0;
}

/** Builds the fixture again with the same seeded weights, then applies the masks. */
function maskedOriginal(build: () => tf.LayersModel, masks: Mask[]): tf.LayersModel {
  const model = build();
  seedWeights(model, SEED);
  for (const mask of masks) {
    const container = mask.inside === undefined ? model : (model.getLayer(mask.inside) as tf.LayersModel);
    const layer = container.getLayer(mask.layer);
    const weights = layer.getWeights().map((weight) => ({ values: Float32Array.from(weight.dataSync()), shape: weight.shape }));
    zeroAlong(weights[mask.weight].values, weights[mask.weight].shape, mask.axis, mask.indices);
    const tensors = weights.map((weight) => tf.tensor(weight.values, weight.shape));
    layer.setWeights(tensors);
    tf.dispose(tensors);
  }
  return model;
}

function inputsFor(model: tf.LayersModel, seed = 3): tf.Tensor[] {
  const next = lcg(seed);
  return model.inputs.map((input) => {
    const shape = [2, ...(input.shape.slice(1) as number[])];
    const size = shape.reduce((product, dim) => product * dim, 1);
    return tf.tensor(Float32Array.from({ length: size }, next), shape);
  });
}

/** Runs the model and returns all outputs, one after another, as plain numbers. */
function outputs(model: tf.LayersModel, inputs: tf.Tensor[]): number[] {
  return tf.tidy(() => {
    const result = model.predict(inputs.length === 1 ? inputs[0] : inputs);
    return (Array.isArray(result) ? result : [result]).flatMap((tensor) => Array.from(tensor.dataSync()));
  });
}

async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return tf.loadLayersModel(tf.io.fromMemory(saved!));
}

function paramCount(model: tf.LayersModel): number {
  return model.countParams();
}

interface Case {
  label: string;
  build: () => tf.LayersModel;
  removed: RemovalMap;
  masks: Mask[];
  paramsBefore: number;
  paramsAfter: number;
  /** Weight shapes of the pruned model, by layer name. */
  shapes?: Record<string, number[][]>;
  /** Leaves out the save-and-reload check. */
  skipReload?: boolean;
}

/**
 * Checks one case. An empty removal map copies the model exactly. The pruned model predicts what
 * the masked original predicts. Parameter counts and weight shapes match the hand-computed ones.
 * Saving and reloading keeps the predictions, and no tensor leaks.
 */
async function checkCase(item: Case): Promise<void> {
  const model = item.build();
  seedWeights(model, SEED);
  const inputs = inputsFor(model);
  const before = tf.memory().numTensors;

  const copy = rebuildPruned(model, {});
  expect(maxAbsDiff(outputs(copy, inputs), outputs(model, inputs)), `${item.label}: ratio 0`).toBe(0);
  copy.dispose();

  const pruned = rebuildPruned(model, item.removed);
  const masked = maskedOriginal(item.build, item.masks);
  expect(maxAbsDiff(outputs(pruned, inputs), outputs(masked, inputs)), `${item.label}: masked original`).toBeLessThan(1e-4);
  expect(paramCount(model), `${item.label}: params before`).toBe(item.paramsBefore);
  expect(paramCount(pruned), `${item.label}: params after`).toBe(item.paramsAfter);
  for (const [layer, shapes] of Object.entries(item.shapes ?? {})) {
    expect(pruned.getLayer(layer).weights.map((w) => w.shape), `${item.label}: shapes of ${layer}`).toEqual(shapes);
  }

  if (item.skipReload !== true) {
    const reloaded = await roundTrip(pruned);
    expect(maxAbsDiff(outputs(reloaded, inputs), outputs(pruned, inputs)), `${item.label}: reload`).toBe(0);
    reloaded.dispose();
  }
  pruned.dispose();
  masked.dispose();
  expect(tf.memory().numTensors, `${item.label}: tensors`).toBe(before);
  tf.dispose(inputs);
  model.dispose();
}

type Merge = 'add' | 'multiply' | 'average' | 'maximum' | 'minimum';

/** a: conv 4 (3×3) → b: conv 4 (3×3) on a → merge(a, b) → ReLU → c: conv 2 (1×1) → GAP → Dense 2. */
function residual(merge: Merge): () => tf.LayersModel {
  return () => {
    const input = tf.input({ shape: IMAGE });
    const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'a' }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'b' }).apply(a) as tf.SymbolicTensor;
    const merged = tf.layers[merge]({ name: 'merge' }).apply([a, b]) as tf.SymbolicTensor;
    const relu = tf.layers.reLU({ name: 'relu' }).apply(merged);
    const c = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'c' }).apply(relu);
    const pooled = tf.layers.globalAveragePooling2d({}).apply(c);
    return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, name: 'out' }).apply(pooled) as tf.SymbolicTensor });
  };
}

/** a: conv 3, b: conv 2, both 1×1 on the input → Concatenate [a, b, a] → c: conv 2 → GAP → Dense 2. */
function concatenated(): tf.LayersModel {
  const input = tf.input({ shape: IMAGE });
  const a = tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'a' }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'b' }).apply(input) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate({ name: 'cat' }).apply([a, b, a]);
  const c = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'c' }).apply(joined);
  const pooled = tf.layers.globalAveragePooling2d({}).apply(c);
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(pooled) as tf.SymbolicTensor });
}

/** Builds input → `layers` in a chain → GAP → Dense 2, as a Sequential model. */
function chain(layers: tf.layers.Layer[], inputShape: number[] = IMAGE): () => tf.LayersModel {
  return () => {
    const model = tf.sequential();
    model.add(tf.layers.inputLayer({ inputShape }));
    for (const layer of layers) model.add(layer);
    return model;
  };
}

function conv(name: string, filtersCount: number, kernelSize = 1, extra: { dataFormat?: 'channelsFirst' | 'channelsLast' } = {}): tf.layers.Layer {
  return tf.layers.conv2d({ filters: filtersCount, kernelSize, padding: 'same', name, ...extra });
}

function head(): tf.layers.Layer[] {
  return [tf.layers.globalAveragePooling2d({}), tf.layers.dense({ units: 2, name: 'out' })];
}

describe('channel graph rebuild', () => {
  it('couples the inputs of element-wise merges', async () => {
    // a 112, b 148, c 10, out 6 = 276; removing 2 of 4 coupled channels: a 56, b 38, c 6, out 6.
    for (const merge of ['add', 'multiply', 'average', 'maximum', 'minimum'] as Merge[]) {
      await checkCase({
        label: merge,
        build: residual(merge),
        removed: { a: [1, 3] },
        masks: [...filters('a', [1, 3]), ...filters('b', [1, 3])],
        paramsBefore: 276,
        paramsAfter: 106,
        shapes: { a: [[3, 3, 3, 2], [2]], b: [[3, 3, 2, 2], [2]], c: [[1, 1, 2, 2], [2]] },
      });
    }
  });

  it('slices Concatenate inputs at their offsets', async () => {
    // a 12, b 8, c (8·2 + 2) 18, Dense 6 = 44; after: a 8, b 4, c (5·2 + 2) 12, Dense 6 = 30.
    await checkCase({
      label: 'concatenate',
      build: concatenated,
      removed: { a: [1], b: [0] },
      masks: [...filters('a', [1]), ...filters('b', [0])],
      paramsBefore: 44,
      paramsAfter: 30,
      shapes: { c: [[1, 1, 5, 2], [2]] },
    });
  });

  it('removes all outputs of a depthwise input channel', async () => {
    // a 16, depthwise 3·3·4·2 + 8 = 80, c 18, Dense 6 = 120; after: a 8, dw 40, c 10, Dense 6 = 64.
    const build = chain([conv('a', 4), tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', name: 'dw' }), tf.layers.reLU({}), conv('c', 2), ...head()]);
    await checkCase({
      label: 'depthwise',
      build,
      removed: { a: [0, 2] },
      masks: [...filters('a', [0, 2]), { layer: 'dw', weight: 1, axis: 0, indices: [0, 1, 4, 5] }],
      paramsBefore: 120,
      paramsAfter: 64,
      shapes: { dw: [[3, 3, 2, 2], [4]], c: [[1, 1, 4, 2], [2]] },
    });
  });

  it('slices both kernels of SeparableConv2D', async () => {
    // a 16, s 72 + 24 + 3 = 99, c 8, Dense 6 = 129; after: a 12, s 54 + 12 + 2 = 68, c 6, Dense 6 = 92.
    const build = (depthMultiplier: number) =>
      chain([
        conv('a', 4),
        tf.layers.separableConv2d({ filters: 3, kernelSize: 3, depthMultiplier, padding: 'same', name: 's' }),
        tf.layers.reLU({}),
        conv('c', 2),
        ...head(),
      ]);
    const masks = [...filters('a', [1]), { layer: 's', weight: 1, axis: 3, indices: [2] }, { layer: 's', weight: 2, axis: 0, indices: [2] }];
    await checkCase({
      label: 'separable, depth multiplier 2',
      build: build(2),
      removed: { a: [1], s: [2] },
      masks,
      paramsBefore: 129,
      paramsAfter: 92,
      shapes: { s: [[3, 3, 3, 2], [1, 1, 6, 2], [2]] },
      // tfjs 4.22 does not save depthMultiplier of SeparableConv2D, so no such model reloads.
      skipReload: true,
    });
    // Depth multiplier 1: a 16, s 36 + 12 + 3 = 51, c 8, Dense 6 = 81; after: a 12, s 27 + 6 + 2 = 35, c 6, Dense 6 = 59.
    await checkCase({
      label: 'separable, depth multiplier 1',
      build: build(1),
      removed: { a: [1], s: [2] },
      masks,
      paramsBefore: 81,
      paramsAfter: 59,
      shapes: { s: [[3, 3, 3, 1], [1, 1, 3, 2], [2]] },
    });
  });

  it('slices BatchNormalization with and without center and scale', async () => {
    for (const [center, scale, vectors] of [[true, true, 4], [false, true, 3], [true, false, 3], [false, false, 2]] as const) {
      const build = chain([conv('a', 4, 3), tf.layers.batchNormalization({ center, scale, name: 'bn' }), tf.layers.reLU({}), conv('c', 2), ...head()]);
      await checkCase({
        label: `batch norm center=${center} scale=${scale}`,
        build,
        removed: { a: [0, 3] },
        masks: [{ layer: 'c', weight: 0, axis: 2, indices: [0, 3] }],
        paramsBefore: 112 + 4 * vectors + 10 + 6,
        paramsAfter: 56 + 2 * vectors + 6 + 6,
        shapes: { bn: new Array(vectors).fill([2]) },
      });
    }
  });

  it('follows channels-first convs through Flatten', async () => {
    // a 112, c 10, Dense 72·2 + 2 = 146: 268. After: a 84, c 4, Dense 36·2 + 2 = 74: 162.
    const build = chain(
      [
        conv('a', 4, 3, { dataFormat: 'channelsFirst' }),
        conv('c', 2, 1, { dataFormat: 'channelsFirst' }),
        tf.layers.flatten({}),
        tf.layers.dense({ units: 2, name: 'out' }),
      ],
      [3, 6, 6],
    );
    await checkCase({
      label: 'channels first',
      build,
      removed: { a: [1], c: [0] },
      masks: [...filters('a', [1]), ...filters('c', [0])],
      paramsBefore: 268,
      paramsAfter: 162,
    });
  });

  it('follows Flatten with dataFormat channelsFirst', async () => {
    // Flatten moves the channel axis last first, so Dense row p·C + c carries channel c.
    // a 112, Dense 144·2 + 2 = 290: 402. After: a 84, Dense 108·2 + 2 = 218: 302.
    await checkCase({
      label: 'flatten channels first',
      build: chain(
        [conv('a', 4, 3, { dataFormat: 'channelsFirst' }), tf.layers.flatten({ dataFormat: 'channelsFirst' }), tf.layers.dense({ units: 2, name: 'out' })],
        [3, 6, 6],
      ),
      removed: { a: [2] },
      masks: filters('a', [2]),
      paramsBefore: 402,
      paramsAfter: 302,
      shapes: { out: [[108, 2], [2]] },
    });
  });

  it('keeps model-input channels in a Concatenate', async () => {
    // Concatenate [input, a] → c: a 16, c (3 + 4)·2 + 2 = 16, Dense 6: 38. After: a 8, c 12, Dense 6: 26.
    const build = (): tf.LayersModel => {
      const input = tf.input({ shape: IMAGE });
      const a = conv('a', 4).apply(input) as tf.SymbolicTensor;
      const joined = tf.layers.concatenate({}).apply([input, a]);
      const c = conv('c', 2).apply(joined);
      const pooled = tf.layers.globalMaxPooling2d({}).apply(c);
      return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, name: 'out' }).apply(pooled) as tf.SymbolicTensor });
    };
    await checkCase({
      label: 'input concatenated',
      build,
      removed: { a: [0, 3] },
      masks: filters('a', [0, 3]),
      paramsBefore: 38,
      paramsAfter: 26,
      shapes: { c: [[1, 1, 5, 2], [2]] },
    });
  });

  it('slices BatchNormalization on axis 1', () => {
    // NOTE: the tfjs 4.22 cpu backend indexes BatchNormalization parameters as if they lay along
    // the last axis, so outputs of axis-1 models are wrong there and only shapes are compared.
    const model = chain(
      [conv('a', 4, 3, { dataFormat: 'channelsFirst' }), tf.layers.batchNormalization({ axis: 1, name: 'bn' }), conv('c', 2, 1, { dataFormat: 'channelsFirst' })],
      [3, 6, 6],
    )();
    const pruned = rebuildPruned(model, { a: [1] });
    expect(pruned.getLayer('bn').weights.map((w) => w.shape)).toEqual([[3], [3], [3], [3]]);
    expect(pruned.getLayer('c').weights[0].shape).toEqual([1, 1, 3, 2]);
    pruned.dispose();
    model.dispose();
  });

  it('passes channels through element-wise and spatial layers', async () => {
    const passThrough: [string, () => tf.layers.Layer, number][] = [
      ['Activation tanh', () => tf.layers.activation({ activation: 'tanh' }), 0],
      ['ReLU maxValue', () => tf.layers.reLU({ maxValue: 6 }), 0],
      ['LeakyReLU', () => tf.layers.leakyReLU({ alpha: 0.2 }), 0],
      ['PReLU', () => tf.layers.prelu({}), 36],
      ['ELU', () => tf.layers.elu({}), 0],
      ['Dropout', () => tf.layers.dropout({ rate: 0.3 }), 0],
      ['GaussianNoise', () => tf.layers.gaussianNoise({ stddev: 0.1 }), 0],
      ['MaxPooling2D', () => tf.layers.maxPooling2d({ poolSize: 2 }), 0],
      ['AveragePooling2D', () => tf.layers.averagePooling2d({ poolSize: 2 }), 0],
      ['ZeroPadding2D', () => tf.layers.zeroPadding2d({ padding: 1 }), 0],
      ['Cropping2D', () => tf.layers.cropping2D({ cropping: 1 }), 0],
      ['UpSampling2D', () => tf.layers.upSampling2d({ size: [2, 2] }), 0],
    ];
    for (const [label, make, alphaPerChannel] of passThrough) {
      // a 112, c 4·2 + 2 = 10, Dense 6, PReLU alpha 36 per channel; after removing one channel: a 84, c 8.
      await checkCase({
        label,
        build: chain([conv('a', 4, 3), make(), conv('c', 2), ...head()]),
        removed: { a: [2] },
        masks: [{ layer: 'c', weight: 0, axis: 2, indices: [2] }],
        paramsBefore: 128 + 4 * alphaPerChannel,
        paramsAfter: 98 + 3 * alphaPerChannel,
      });
    }
  });

  it('maps channels to rows after Flatten and Reshape', async () => {
    // a 84, pool to 3×3×3, Dense 27·2 + 2 = 56: 140. After: a 56, Dense 18·2 + 2 = 38: 94.
    const rows = Array.from({ length: 9 }, (_, p) => p * 3 + 1);
    await checkCase({
      label: 'flatten',
      build: chain([conv('a', 3, 3), tf.layers.maxPooling2d({ poolSize: 2 }), tf.layers.flatten({}), tf.layers.dense({ units: 2, name: 'out' })]),
      removed: { a: [1] },
      masks: [{ layer: 'out', weight: 0, axis: 0, indices: rows }],
      paramsBefore: 140,
      paramsAfter: 94,
    });
    // a 12, Dense on the last axis 3·2 + 2 = 8, Flatten 72, Dense 146: 166. After: a 8, d1 6, Dense 146: 160.
    await checkCase({
      label: 'reshape to positions × channels',
      build: chain([conv('a', 3), tf.layers.reshape({ targetShape: [36, 3] }), tf.layers.dense({ units: 2, name: 'd1' }), tf.layers.flatten({}), tf.layers.dense({ units: 2, name: 'out' })]),
      removed: { a: [0] },
      masks: [{ layer: 'd1', weight: 0, axis: 0, indices: [0] }],
      paramsBefore: 166,
      paramsAfter: 160,
    });
    // a 12, Dense 108·2 + 2 = 218: 230. After: a 8, Dense 72·2 + 2 = 146: 154.
    await checkCase({
      label: 'reshape to features',
      build: chain([conv('a', 3), tf.layers.reshape({ targetShape: [108] }), tf.layers.dense({ units: 2, name: 'out' })]),
      removed: { a: [2] },
      masks: filters('a', [2]),
      paramsBefore: 230,
      paramsAfter: 154,
    });
  });

  it('prunes Conv1D outputs and inputs', async () => {
    // a 3·3·4 + 4 = 40, c 4·2 + 2 = 10, Dense 16·2 + 2 = 34: 84. After: a 30, c 3 + 1 = 4, Dense 8·2 + 2 = 18: 52.
    const build = chain(
      [
        tf.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', name: 'a' }),
        tf.layers.reLU({}),
        tf.layers.conv1d({ filters: 2, kernelSize: 1, name: 'c' }),
        tf.layers.flatten({}),
        tf.layers.dense({ units: 2, name: 'out' }),
      ],
      [8, 3],
    );
    await checkCase({
      label: 'conv1d',
      build,
      removed: { a: [3], c: [1] },
      masks: [...filters('a', [3], 3), ...filters('c', [1], 3)],
      paramsBefore: 84,
      paramsAfter: 52,
    });
  });

  it('keeps a one-filter Conv2D a plain convolution', async () => {
    // a 16, one 3·3·4 + 1 = 37, c 4, Dense 6: 63. After: a 8, one 3·3·2 + 1 = 19, c 4, Dense 6: 37.
    await checkCase({
      label: 'one filter',
      build: chain([conv('a', 4), conv('one', 1, 3), conv('c', 2), ...head()]),
      removed: { a: [1, 2] },
      masks: filters('a', [1, 2]),
      paramsBefore: 63,
      paramsAfter: 37,
      shapes: { one: [[3, 3, 2, 1], [1]] },
    });
  });

  it('prunes inside nested models', async () => {
    const build = (): tf.LayersModel => {
      const inner = tf.sequential({
        name: 'inner',
        layers: [tf.layers.conv2d({ inputShape: [6, 6, 4], filters: 4, kernelSize: 3, padding: 'same', name: 'n1' }), tf.layers.reLU({ name: 'n_relu' }), conv('n2', 3)],
      });
      const pointInput = tf.input({ shape: [6, 6, 3] });
      const point = tf.model({ name: 'point', inputs: pointInput, outputs: conv('p1', 2).apply(pointInput) as tf.SymbolicTensor });
      const input = tf.input({ shape: IMAGE });
      const a = conv('a', 4).apply(input) as tf.SymbolicTensor;
      const nested = inner.apply(a) as tf.SymbolicTensor;
      const joined = tf.layers.concatenate({ name: 'cat' }).apply([nested, point.apply(nested) as tf.SymbolicTensor]) as tf.SymbolicTensor;
      const c = conv('c', 2).apply(joined) as tf.SymbolicTensor;
      const pooled = tf.layers.globalAveragePooling2d({}).apply(c) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, name: 'out' }).apply(pooled) as tf.SymbolicTensor });
    };
    const model = build();
    expect(prunableLayers(model)).toEqual(['a', 'n1', 'n2', 'p1', 'c']);
    model.dispose();
    // a 16, n1 148, n2 15, p1 8, c 5·2 + 2 = 12, out 6: 205.
    // After: a 12, n1 3·3·3·2 + 2 = 56, n2 2·3 + 3 = 9, p1 8, c 12, out 6: 103.
    await checkCase({
      label: 'nested',
      build,
      removed: { a: [0], n1: [1, 2] },
      masks: [...filters('a', [0]), { layer: 'n1', inside: 'inner', weight: 0, axis: 3, indices: [1, 2] }, { layer: 'n1', inside: 'inner', weight: 1, axis: 0, indices: [1, 2] }],
      paramsBefore: 205,
      paramsAfter: 103,
      shapes: { n1: [[3, 3, 3, 2], [2]], n2: [[1, 1, 2, 3], [3]] },
    });
  });

  it('prunes a model with two inputs and three outputs', async () => {
    const build = (): tf.LayersModel => {
      const left = tf.input({ shape: IMAGE, name: 'left' });
      const right = tf.input({ shape: [6, 6, 2], name: 'right' });
      const a = tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'a' }).apply(left) as tf.SymbolicTensor;
      const b = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'b' }).apply(right) as tf.SymbolicTensor;
      const joined = tf.layers.concatenate({}).apply([a, b]);
      const c = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'c' }).apply(joined) as tf.SymbolicTensor;
      const pooled = tf.layers.globalAveragePooling2d({}).apply(a);
      const dense = tf.layers.dense({ units: 2, name: 'side' }).apply(pooled) as tf.SymbolicTensor;
      return tf.model({ inputs: [left, right], outputs: [c, dense, b] });
    };
    const model = build();
    expect(prunableLayers(model)).toEqual(['a']);
    expect(summarizeModel(model).find((s) => s.name === 'b')?.reason).toMatch(/model output/);
    model.dispose();
    // a 12, b 6, c 5·2 + 2 = 12, side 3·2 + 2 = 8: 38. After: a 8, c 4·2 + 2 = 10, side 6, b 6: 30.
    await checkCase({
      label: 'two inputs',
      build,
      removed: { a: [0] },
      masks: filters('a', [0]),
      paramsBefore: 38,
      paramsAfter: 30,
    });
  });
});
