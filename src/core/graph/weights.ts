// Slices one layer's weights to the channels that survive pruning.

import * as tf from '@tensorflow/tfjs';

import { PeakPruneError } from '../errors';
import type { ChannelLayout } from './atoms';
import { normalizeAxis } from './context';
import type { GraphLayer } from './read';

/** Surviving positions along the channel axis of a call's first input and first output; undefined when all survive. */
export interface CallSlice {
  inputKeep?: number[];
  outputKeep?: number[];
  input?: ChannelLayout;
  output?: ChannelLayout;
  /** Rank of the first input, batch axis included. */
  inputRank: number;
}

/**
 * Returns the call's weights with removed channels cut out, in the order the layer created them.
 * Call inside tf.tidy. Throws 'internal' for a layer class with weights that no rule slices.
 */
export function sliceLayerWeights(call: GraphLayer, weights: tf.Tensor[], slice: CallSlice): tf.Tensor[] {
  if (slice.inputKeep === undefined && slice.outputKeep === undefined) return weights;
  const { inputKeep, outputKeep } = slice;
  switch (call.className) {
    case 'Conv1D':
    case 'Conv2D': {
      const rank = weights[0].rank;
      const kernel = gatherIf(gatherIf(weights[0], inputKeep, rank - 2), outputKeep, rank - 1);
      return [kernel, ...weights.slice(1).map((bias) => gatherIf(bias, outputKeep, 0))];
    }
    case 'SeparableConv2D': {
      const multiplier = weights[0].shape[3] as number;
      const depthwise = gatherIf(weights[0], inputKeep, 2);
      const pointwise = gatherIf(gatherIf(weights[1], repeatPositions(inputKeep, multiplier), 2), outputKeep, 3);
      return [depthwise, pointwise, ...weights.slice(2).map((bias) => gatherIf(bias, outputKeep, 0))];
    }
    case 'DepthwiseConv2D':
      return [gatherIf(weights[0], inputKeep, 2), ...weights.slice(1).map((bias) => gatherIf(bias, outputKeep, 0))];
    case 'Dense':
      // Dense reads the last axis; channels along another axis leave its kernel unchanged.
      if (slice.input?.axis !== slice.inputRank - 1) return weights;
      return [gatherIf(weights[0], inputKeep, 0), ...weights.slice(1)];
    case 'BatchNormalization': {
      // gamma and beta are absent when scale or center is false; every vector present is sliced.
      const axis = normalizeAxis(Number(call.entry.config.axis ?? -1), slice.inputRank);
      return axis === slice.input?.axis ? weights.map((vector) => gatherIf(vector, inputKeep, 0)) : weights;
    }
    case 'PReLU': {
      // alpha has the input shape without the batch axis, with size 1 along shared axes.
      const axis = slice.input!.axis - 1;
      return weights[0].shape[axis] > 1 ? [gatherIf(weights[0], inputKeep, axis)] : weights;
    }
    default:
      if (weights.length === 0) return weights;
      throw new PeakPruneError('internal', `Layer "${call.name}" of class ${call.className} has weights but no rule to slice them.`);
  }
}

/** Returns the positions c·m + k of every kept input channel c, as after a depth multiplier m. */
function repeatPositions(keep: number[] | undefined, multiplier: number): number[] | undefined {
  return keep?.flatMap((channel) => Array.from({ length: multiplier }, (_, k) => channel * multiplier + k));
}

function gatherIf(tensor: tf.Tensor, keep: number[] | undefined, axis: number): tf.Tensor {
  if (keep === undefined) return tensor;
  return tf.gather(tensor, tf.tensor1d(keep, 'int32'), axis);
}
