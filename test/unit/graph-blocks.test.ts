// Rows of the model-graph list on the page, from real layer summaries.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { summarizeModel } from '../../src/core/topology';
import { blockRows, coupledGroups } from '../../src/ui/components/model-blocks-data';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** a → b, Add(a, b) → ReLU → c → Softmax over channels → d → GAP → Dense. */
function residualWithSoftmax(): tf.LayersModel {
  const input = tf.input({ shape: [4, 4, 2], name: 'image' });
  const a = tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'a' }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'b' }).apply(a) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'sum' }).apply([a, b]) as tf.SymbolicTensor;
  const relu = tf.layers.reLU({ name: 'relu' }).apply(sum) as tf.SymbolicTensor;
  const c = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'c' }).apply(relu) as tf.SymbolicTensor;
  const soft = tf.layers.softmax({ axis: -1, name: 'soft' }).apply(c) as tf.SymbolicTensor;
  const d = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'd' }).apply(soft) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(d) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, name: 'out' }).apply(pooled) as tf.SymbolicTensor });
}

describe('model blocks', () => {
  it('numbers coupled groups and marks frozen layers', () => {
    const model = residualWithSoftmax();
    const layers = summarizeModel(model);

    const groups = coupledGroups(layers);
    const rows = Object.fromEntries(blockRows(layers, groups).map((row) => [row.layer.name, row]));

    expect(groups).toEqual([{ lead: 'a', members: ['a', 'b'], prunable: true }]);
    expect(rows.a.group).toBe(1);
    expect(rows.b.group).toBe(1);
    expect(rows.c.group).toBeUndefined();
    expect(rows.a.kind).toBe('prunable');
    expect(rows.b.kind).toBe('plain');
    expect(rows.c.kind).toBe('plain');
    expect(rows.d.kind).toBe('prunable');
    expect(rows.soft.kind).toBe('frozen');
    expect(rows.soft.layer.frozenReason).toBe('it applies softmax over the channel axis.');
    expect(Object.keys(rows)).toEqual(['image', 'a', 'b', 'sum', 'relu', 'c', 'soft', 'd', 'gap', 'out']);
    model.dispose();
  });
});
