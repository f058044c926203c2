// Layers that keep the channels reaching them, guards, and coupled groups in analysis and planning.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { analyzeModel } from '../../src/core/analyze';
import { PeakPruneError } from '../../src/core/errors';
import { planPruning, toRemovalMap } from '../../src/core/plan';
import { rebuildPruned } from '../../src/core/rebuild';
import { describeChannels, prunableLayers, summarizeModel } from '../../src/core/topology';
import { DEFAULT_DPC_OPTIONS, type SampleSet } from '../../src/core/types';
import { lcg, maxAbsDiff, seedWeights } from './helpers/tiny-models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A layer class unknown to pruning: it doubles its input. */
class Doubler extends tf.layers.Layer {
  static readonly className = 'Doubler';

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, 2));
  }
}
tf.serialization.registerClass(Doubler);

function conv(name: string, filters: number): tf.layers.Layer {
  return tf.layers.conv2d({ filters, kernelSize: 1, name });
}

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return error instanceof PeakPruneError ? error.code : `not a PeakPruneError: ${String(error)}`;
  }
  return 'nothing thrown';
}

/** a → Softmax → b → LayerNormalization → c → Doubler → d → GAP → Dense. */
function frozenChain(): tf.LayersModel {
  const input = tf.input({ shape: [4, 4, 3] });
  let x = conv('a', 4).apply(input) as tf.SymbolicTensor;
  x = tf.layers.softmax({ axis: -1, name: 'soft' }).apply(x) as tf.SymbolicTensor;
  x = conv('b', 4).apply(x) as tf.SymbolicTensor;
  x = tf.layers.layerNormalization({ name: 'norm' }).apply(x) as tf.SymbolicTensor;
  x = conv('c', 4).apply(x) as tf.SymbolicTensor;
  x = new Doubler({ name: 'double' }).apply(x) as tf.SymbolicTensor;
  x = conv('d', 4).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(x) as tf.SymbolicTensor });
}

describe('frozen layers', () => {
  it('lists every frozen layer with its reason', () => {
    const model = frozenChain();

    const structure = describeChannels(model);

    expect(structure.frozen.map((f) => [f.name, f.className])).toEqual([
      ['soft', 'Softmax'],
      ['norm', 'LayerNormalization'],
      ['double', 'Doubler'],
    ]);
    expect(structure.frozen[0].reason).toBe('applies softmax over the channel axis');
    expect(structure.frozen[1].reason).toBe('normalizes over the channel axis');
    expect(structure.frozen[2].reason).toMatch(/class Doubler, which pruning does not support/);
    expect(prunableLayers(model)).toEqual(['d']);
    const reasons = Object.fromEntries(summarizeModel(model).map((s) => [s.name, s.reason ?? s.frozenReason]));
    expect(reasons.a).toMatch(/reach layer "soft" \(Softmax\)/);
    expect(reasons.b).toMatch(/reach layer "norm" \(LayerNormalization\)/);
    expect(reasons.c).toMatch(/reach layer "double" \(Doubler\)/);
    expect(reasons.d).toBeUndefined();
    model.dispose();
  });

  it('prunes the rest of a partly frozen model', () => {
    const model = frozenChain();
    seedWeights(model, 3);
    const input = tf.tensor4d(Float32Array.from({ length: 2 * 48 }, lcg(5)), [2, 4, 4, 3]);

    const pruned = rebuildPruned(model, { d: [1, 2] });
    const masked = frozenChain();
    masked.setWeights(model.getWeights());
    const [kernel, bias] = masked.getLayer('d').getWeights();
    const keep = tf.tensor1d([1, 0, 0, 1]);
    masked.getLayer('d').setWeights([tf.mul(kernel, keep), tf.mul(bias, keep)]);

    const expected = (masked.predict(input) as tf.Tensor).dataSync();
    expect(maxAbsDiff((pruned.predict(input) as tf.Tensor).dataSync(), expected)).toBeLessThan(1e-5);
    expect(codeOf(() => rebuildPruned(model, { a: [0] }))).toBe('invalid-options');
    expect(() => rebuildPruned(model, { a: [0] })).toThrow(/Layer "a" cannot be pruned: its channels reach layer "soft"/);
    tf.dispose([input, keep]);
    pruned.dispose();
    masked.dispose();
    model.dispose();
  });

  it('freezes shared layers and nested models called twice', () => {
    const input = tf.input({ shape: [4, 4, 3] });
    const a = conv('a', 3).apply(input) as tf.SymbolicTensor;
    const shared = conv('shared', 3);
    const twice = shared.apply(shared.apply(a)) as tf.SymbolicTensor;
    const inner = tf.sequential({ name: 'inner', layers: [tf.layers.conv2d({ inputShape: [4, 4, 3], filters: 3, kernelSize: 1 })] });
    const b = conv('b', 3).apply(twice) as tf.SymbolicTensor;
    // A nested model called twice cannot be inlined, so it stays frozen.
    const nested = inner.apply(inner.apply(b)) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(nested) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(pooled) as tf.SymbolicTensor });

    const frozen = describeChannels(model).frozen;

    expect(frozen.map((f) => f.name)).toEqual(['shared', 'inner']);
    expect(frozen[0].reason).toMatch(/called 2 times/);
    expect(frozen[1].reason).toMatch(/called 2 times/);
    expect(prunableLayers(model)).toEqual([]);
    model.dispose();
  });

  it('rejects a model without convolutions', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });
    expect(codeOf(() => prunableLayers(model))).toBe('no-prunable-layers');
    model.dispose();
  });
});

/** a → b, Add(a, b) → ReLU → c → GAP → Dense: a and b form one group led by a. */
function residual(): tf.LayersModel {
  const input = tf.input({ shape: [4, 4, 3] });
  const a = conv('a', 6).apply(input) as tf.SymbolicTensor;
  const b = conv('b', 6).apply(a) as tf.SymbolicTensor;
  const sum = tf.layers.add({}).apply([a, b]) as tf.SymbolicTensor;
  const relu = tf.layers.reLU({ name: 'relu' }).apply(sum) as tf.SymbolicTensor;
  const c = conv('c', 4).apply(relu) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(c) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(pooled) as tf.SymbolicTensor });
}

function samples(count: number): SampleSet {
  return {
    pixels: Float32Array.from({ length: count * 48 }, lcg(9)),
    shape: [4, 4, 3],
    labels: new Int32Array(count),
    classNames: ['zero', 'one'],
  };
}

describe('coupled groups', () => {
  it('summarizes a group under its lead', () => {
    const model = residual();

    const summaries = Object.fromEntries(summarizeModel(model).map((s) => [s.name, s]));

    expect(prunableLayers(model)).toEqual(['a', 'c']);
    expect(summaries.a.groupMembers).toEqual(['a', 'b']);
    expect(summaries.b.group).toBe('a');
    expect(summaries.b.prunable).toBe(false);
    expect(summaries.b.reason).toMatch(/removed together with those of layer "a"/);
    expect(codeOf(() => rebuildPruned(model, { b: [0] }))).toBe('invalid-options');
    model.dispose();
  });

  it('clusters and scores a group as one unit', async () => {
    const model = residual();
    seedWeights(model, 11);
    const before = tf.memory().numTensors;

    const analysis = await analyzeModel(model, samples(4), { dpc: DEFAULT_DPC_OPTIONS });
    const group = analysis.layers[0];

    expect(group.name).toBe('a');
    expect(group.members).toEqual(['a', 'b']);
    // a has 1·1·3 weights per filter, b 1·1·6: the group's filters are 9 long.
    expect(group.kernelShape).toEqual([1, 1, 9, 6]);
    // a feeds both b and the Add, so it is measured at its own output; b is measured after the Add.
    expect(group.apoz.measuredAt).toBe('a, relu');
    expect(group.apoz.applies).toBe(false);
    const l1a = model.getLayer('a').getWeights()[0].abs().sum(0).sum(0).sum(0).dataSync();
    const l1b = model.getLayer('b').getWeights()[0].abs().sum(0).sum(0).sum(0).dataSync();
    for (let f = 0; f < 6; f++) expect(group.l1[f]).toBeCloseTo(l1a[f] + l1b[f], 5);

    const plan = planPruning(analysis.layers, { method: 'l1', ratio: 0.5, minChannels: 1 }, {}, analysis.geometry);
    const removed = toRemovalMap(plan);
    expect(removed.a).toHaveLength(3);
    const pruned = rebuildPruned(model, removed);
    expect(pruned.getLayer('b').weights[0].shape).toEqual([1, 1, 3, 3]);
    pruned.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
