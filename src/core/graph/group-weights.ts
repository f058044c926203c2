// Filters of a coupled group as one matrix, so that a group is clustered like a single layer.

import * as tf from '@tensorflow/tfjs';

import type { CoupledGroup } from './propagate';

export interface GroupKernel {
  /** Values in tfjs kernel order (kh × kw × cin × cout), one filter per last-axis index. */
  kernel: Float32Array;
  shape: [number, number, number, number];
}

/**
 * Returns the filters that pruning scores for a group. A single Conv2D gives its own kernel, a
 * Conv1D its kernel with a height of 1, a SeparableConv2D its pointwise kernel. A group of several
 * members gives a [1, 1, F, channels] kernel. Its column g contains, one member after another,
 * each member's filter for group channel g, or zeros for a member without that channel. So
 * distances and norms are taken over the concatenated weights of all members.
 */
export function groupKernel(model: tf.LayersModel, group: CoupledGroup): GroupKernel {
  const matrices = group.members.map((name) => memberMatrix(model.getLayer(name)));
  if (group.members.length === 1) return { kernel: matrices[0].values, shape: matrices[0].shape };
  const rowsTotal = matrices.reduce((sum, matrix) => sum + matrix.rows, 0);
  const kernel = new Float32Array(rowsTotal * group.channels);
  let offset = 0;
  matrices.forEach((matrix, m) => {
    const filled = new Set<number>();
    group.memberChannels[m].forEach((channel, filter) => {
      if (filled.has(channel)) return;
      filled.add(channel);
      for (let row = 0; row < matrix.rows; row++) {
        kernel[(offset + row) * group.channels + channel] = matrix.values[row * matrix.columns + filter];
      }
    });
    offset += matrix.rows;
  });
  return { kernel, shape: [1, 1, rowsTotal, group.channels] };
}

interface FilterMatrix {
  values: Float32Array;
  rows: number;
  columns: number;
  shape: [number, number, number, number];
}

function memberMatrix(layer: tf.layers.Layer): FilterMatrix {
  const weight = layer.getClassName() === 'SeparableConv2D' ? layer.weights[1] : layer.weights[0];
  const shape = weight.shape as number[];
  const values = weight.read().dataSync() as Float32Array;
  const columns = shape[shape.length - 1];
  const full = shape.length === 3 ? [1, ...shape] : shape;
  return { values: Float32Array.from(values), rows: values.length / columns, columns, shape: full as [number, number, number, number] };
}
