// Seeded random small architectures: prune each coupled group at a random ratio, rebuild, run,
// and compare with the original whose removed filters (kernel column and bias) are zeroed.
// Every layer used maps a zero channel to zero, so zeroing at the producers is exact.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { analyzeChannels } from '../../src/core/graph/propagate';
import { rebuildPruned } from '../../src/core/rebuild';
import { prunableGroups } from '../../src/core/topology';
import { lcg, maxAbsDiff, seedWeights } from './helpers/tiny-models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const ARCHITECTURES = 30;

type Random = () => number;

/** Layer names restart at every build, so that two builds of one seed have the same names. */
let layerCount = 0;

function nextName(): string {
  layerCount++;
  return `layer${layerCount}`;
}

/** Returns an integer in [low, high]. */
function integer(random: Random, low: number, high: number): number {
  return low + Math.floor(((random() + 1) / 2) * (high - low + 1));
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[integer(random, 0, items.length - 1)];
}

function channelsOf(tensor: tf.SymbolicTensor): number {
  return tensor.shape[tensor.shape.length - 1] as number;
}

function conv(random: Random, x: tf.SymbolicTensor, filters?: number): tf.SymbolicTensor {
  const layer = tf.layers.conv2d({
    filters: filters ?? integer(random, 2, 5),
    kernelSize: pick(random, [1, 3]),
    padding: 'same',
    activation: pick(random, ['linear', 'relu', 'elu'] as const),
    name: nextName(),
  });
  return layer.apply(x) as tf.SymbolicTensor;
}

/** Appends one random block to x. */
function block(random: Random, x: tf.SymbolicTensor): tf.SymbolicTensor {
  switch (integer(random, 0, 6)) {
    case 0:
      return conv(random, x);
    case 1: {
      const branch = conv(random, conv(random, x), channelsOf(x));
      const merge = pick(random, ['add', 'maximum', 'average', 'multiply'] as const);
      return tf.layers[merge]({ name: nextName() }).apply([x, branch]) as tf.SymbolicTensor;
    }
    case 2:
      return tf.layers.concatenate({ name: nextName() }).apply([conv(random, x), conv(random, x), ...(random() > 0 ? [x] : [])]) as tf.SymbolicTensor;
    case 3:
      return tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: integer(random, 1, 2), padding: 'same', useBias: false, name: nextName() }).apply(x) as tf.SymbolicTensor;
    case 4:
      return tf.layers.separableConv2d({ filters: integer(random, 2, 4), kernelSize: 3, depthMultiplier: integer(random, 1, 2), padding: 'same', name: nextName() }).apply(x) as tf.SymbolicTensor;
    case 5:
      return tf.layers.leakyReLU({ alpha: 0.1, name: nextName() }).apply(x) as tf.SymbolicTensor;
    default:
      return tf.layers.maxPooling2d({ poolSize: 2, padding: 'same', name: nextName() }).apply(x) as tf.SymbolicTensor;
  }
}

/** Builds one architecture from the seed; the same seed always gives the same layers. */
function architecture(seed: number): () => tf.LayersModel {
  return () => {
    const random = lcg(seed);
    layerCount = 0;
    const input = tf.input({ shape: [5, 5, 2] });
    let x = conv(random, input);
    const blocks = integer(random, 2, 5);
    for (let i = 0; i < blocks; i++) x = block(random, x);
    x = conv(random, x);
    const flat = random() > 0 ? tf.layers.flatten({ name: nextName() }).apply(x) : tf.layers.globalAveragePooling2d({ name: nextName() }).apply(x);
    return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 3, name: nextName() }).apply(flat) as tf.SymbolicTensor });
  };
}

/** Chooses removals per prunable group, leaving every member at least one filter. */
function randomRemovals(model: tf.LayersModel, random: Random): { removed: Record<string, number[]>; zeroed: Map<string, number[]> } {
  const removed: Record<string, number[]> = {};
  const zeroed = new Map<string, number[]>();
  for (const group of prunableGroups(analyzeChannels(model))) {
    const ratio = ((random() + 1) / 2) * 0.7;
    const order = Array.from({ length: group.channels }, (_, i) => i).sort(() => random());
    const chosen = new Set(order.slice(0, Math.min(Math.round(ratio * group.channels), group.channels - 1)));
    for (const channels of group.memberChannels) {
      if (channels.every((channel) => chosen.has(channel))) chosen.delete(channels[0]);
    }
    if (chosen.size === 0) continue;
    removed[group.name] = [...chosen].sort((a, b) => a - b);
    group.members.forEach((member, m) => {
      const filters = group.memberChannels[m].flatMap((channel, filter) => (chosen.has(channel) ? [filter] : []));
      zeroed.set(member, filters);
    });
  }
  return { removed, zeroed };
}

/** Zeroes the listed filters of each layer: the last axis of its output kernel and its bias. */
function zeroFilters(model: tf.LayersModel, zeroed: Map<string, number[]>): void {
  for (const [name, filters] of zeroed) {
    const layer = model.getLayer(name);
    const kernelIndex = layer.getClassName() === 'SeparableConv2D' ? 1 : 0;
    const weights = layer.getWeights().map((weight, index) => {
      if (index !== kernelIndex && index !== kernelIndex + 1) return weight.clone();
      const values = Float32Array.from(weight.dataSync());
      const columns = weight.shape[weight.shape.length - 1];
      for (let e = 0; e < values.length; e++) if (filters.includes(e % columns)) values[e] = 0;
      return tf.tensor(values, weight.shape);
    });
    layer.setWeights(weights);
    tf.dispose(weights);
  }
}

describe('random architectures', () => {
  it('match the masked original after pruning', async () => {
    let prunedCount = 0;
    for (let seed = 1; seed <= ARCHITECTURES; seed++) {
      const build = architecture(seed * 7919);
      const model = build();
      seedWeights(model, seed);
      const { removed, zeroed } = randomRemovals(model, lcg(seed + 100));
      const masked = build();
      seedWeights(masked, seed);
      zeroFilters(masked, zeroed);
      const input = tf.tensor4d(Float32Array.from({ length: 2 * 50 }, lcg(seed + 200)), [2, 5, 5, 2]);

      const pruned = rebuildPruned(model, removed);
      const actual = (pruned.predict(input) as tf.Tensor).dataSync();
      const expected = (masked.predict(input) as tf.Tensor).dataSync();

      expect(maxAbsDiff(actual, expected), `seed ${seed}: ${JSON.stringify(removed)}`).toBeLessThan(1e-3);
      if (Object.keys(removed).length > 0) prunedCount++;
      tf.dispose(input);
      pruned.dispose();
      masked.dispose();
      model.dispose();
    }
    expect(prunedCount).toBeGreaterThan(ARCHITECTURES / 2);
  });
});
