// Builds a physically smaller copy of a model with some convolution filters removed, following
// the removed channels through every layer of the graph.

import * as tf from '@tensorflow/tfjs';

import { PeakPruneError } from './errors';
import type { ChannelLayout } from './graph/atoms';
import { withInlinedModel } from './graph/flatten';
import { analyzeChannels, type ChannelGraph, type CoupledGroup } from './graph/propagate';
import type { GraphLayer, ModelGraph } from './graph/read';
import { PRODUCER_CLASSES } from './graph/rules';
import { sliceLayerWeights, type CallSlice } from './graph/weights';
import type { RemovalMap } from './types';

/**
 * Builds a new model in which each coupled group named in `removed` has lost the listed
 * channels. Removing channel i of a group removes filter i of its lead and the matching filters
 * of every other member. Every consumer of those channels loses the matching weights:
 * BatchNormalization, the next convolution's input channels, depthwise slices, Dense rows after
 * Flatten, Concatenate segments. A nested model is inlined, so the new model has its layers at
 * the top level. Layer names are kept; the new model is not compiled, and the original model is
 * left unchanged. An empty map gives a copy.
 * Throws PeakPruneError('invalid-options') naming the layer when a removal list is invalid.
 */
export function rebuildPruned(model: tf.LayersModel, removed: RemovalMap): tf.LayersModel {
  return withInlinedModel(model, (flat) => rebuildFlat(flat, removed));
}

function rebuildFlat(model: tf.LayersModel, removed: RemovalMap): tf.LayersModel {
  const channels = analyzeChannels(model);
  const removedRoots = removedRootsOf(channels, removed);
  const slices = planSlices(channels, removedRoots);
  rewriteConfig(channels.graph, slices);
  const pruned = instantiate(channels.graph);
  try {
    copyWeights(channels.graph, pruned, slices);
  } catch (error) {
    pruned.dispose();
    throw error;
  }
  return pruned;
}

/** Checks every removal list and returns the root atoms of the removed channels. */
function removedRootsOf(channels: ChannelGraph, removed: RemovalMap): Set<number> {
  const roots = new Set<number>();
  for (const [name, indices] of Object.entries(removed)) {
    const group = groupNamed(channels, name);
    const keep = keptIndices(name, group.channels, indices);
    const keptSet = new Set(keep);
    group.roots.forEach((root, i) => {
      if (!keptSet.has(i)) roots.add(root);
    });
  }
  return roots;
}

function groupNamed(channels: ChannelGraph, name: string): CoupledGroup {
  const group = channels.groups.find((candidate) => candidate.name === name);
  if (group !== undefined && group.frozenReason === undefined) return group;
  if (group !== undefined) throw new PeakPruneError('invalid-options', `Layer "${name}" cannot be pruned: ${group.frozenReason}.`);
  const owner = channels.groups.find((candidate) => candidate.members.includes(name));
  if (owner !== undefined) {
    throw new PeakPruneError(
      'invalid-options',
      `Layer "${name}" is coupled with layer "${owner.name}"; list its removals under "${owner.name}", which prunes the whole group.`,
    );
  }
  const call = channels.graph.layers.find((candidate) => candidate.name === name);
  if (call === undefined) {
    throw new PeakPruneError(
      'invalid-options',
      `Layer "${name}" in the removal list is not in model "${channels.graph.modelName}"; remove it from the list.`,
    );
  }
  const frozen = channels.frozenLayers.find((layer) => layer.name === name);
  const reason = frozen !== undefined ? `it ${frozen.reason}` : `it is a ${call.className} layer, which has no filters to remove`;
  throw new PeakPruneError('invalid-options', `Layer "${name}" cannot be pruned: ${reason}.`);
}

function keptIndices(name: string, filters: number, indices: readonly number[]): number[] {
  if (!Array.isArray(indices)) {
    throw new PeakPruneError('invalid-options', `The removal list of layer "${name}" is not an array of filter indices.`);
  }
  const listed = new Uint8Array(filters);
  for (const index of indices) {
    if (!Number.isInteger(index) || index < 0 || index >= filters) {
      throw new PeakPruneError(
        'invalid-options',
        `Layer "${name}" has ${filters} filters, so filter index ${index} is out of range; use integers from 0 to ${filters - 1}.`,
      );
    }
    if (listed[index] === 1) {
      throw new PeakPruneError('invalid-options', `Layer "${name}" lists filter ${index} twice for removal; list each filter once.`);
    }
    listed[index] = 1;
  }
  if (indices.length >= filters) {
    throw new PeakPruneError(
      'invalid-options',
      `Layer "${name}" would keep no filters because all ${filters} are listed for removal; keep at least one.`,
    );
  }
  const keep: number[] = [];
  for (let i = 0; i < filters; i++) if (listed[i] === 0) keep.push(i);
  return keep;
}

/** Records, per layer call, the surviving positions of its first input and first output. */
function planSlices(channels: ChannelGraph, removedRoots: ReadonlySet<number>): CallSlice[] {
  const { context, graph } = channels;
  const keepOf = (layout: ChannelLayout | undefined, call: GraphLayer): number[] | undefined => {
    if (layout === undefined || removedRoots.size === 0) return undefined;
    const keep: number[] = [];
    layout.atoms.forEach((atom, position) => {
      if (!removedRoots.has(context.atoms.find(atom))) keep.push(position);
    });
    if (keep.length === 0) {
      throw new PeakPruneError(
        'invalid-options',
        `The removals would leave no channels in a tensor of layer "${call.name}"; keep at least one channel of each coupled layer.`,
      );
    }
    return keep.length < layout.atoms.length ? keep : undefined;
  };
  return graph.layers.map((call): CallSlice => {
    const input = context.layout(call.inputs[0]);
    const output = context.layout(call.outputs[0]);
    return {
      input,
      output,
      inputRank: graph.tensors.get(call.inputs[0])!.shape.length,
      inputKeep: keepOf(input, call),
      outputKeep: keepOf(output, call),
    };
  });
}

/** Sets the new filter counts and Reshape targets in the graph's config copy. */
function rewriteConfig(graph: ModelGraph, slices: readonly CallSlice[]): void {
  graph.layers.forEach((call, index) => {
    if (call.className === 'SeparableConv2D') {
      // tfjs 4.22 leaves depthMultiplier out of SeparableConv2D.getConfig(), so it is restored here.
      call.entry.config.depthMultiplier = (call.layer as unknown as { depthMultiplier: number }).depthMultiplier;
    }
    const keep = slices[index].outputKeep;
    if (keep === undefined) return;
    if (PRODUCER_CLASSES.has(call.className)) call.entry.config.filters = keep.length;
    if (call.className === 'Reshape') {
      const shape = graph.tensors.get(call.outputs[0])!.shape.slice(1) as number[];
      shape[slices[index].output!.axis - 1] = keep.length;
      call.entry.config.targetShape = shape;
    }
  });
}

function instantiate(graph: ModelGraph): tf.LayersModel {
  const config = graph.config as unknown as tf.serialization.ConfigDict;
  // fastWeightInit skips the initializers, because copyWeights overwrites every weight.
  if (graph.kind === 'sequential') return tf.Sequential.fromConfig(tf.Sequential, config, {}, true) as tf.Sequential;
  return tf.LayersModel.fromConfig(tf.LayersModel, config, {}, true) as tf.LayersModel;
}

/** Copies each layer's weights into the new model, sliced where channels were removed. */
function copyWeights(graph: ModelGraph, pruned: tf.LayersModel, slices: readonly CallSlice[]): void {
  tf.tidy(() => {
    graph.layers.forEach((call, index) => {
      // read() returns the original model's own variables: they are read, never disposed.
      const source = call.layer.weights.map((weight) => weight.read());
      if (source.length === 0) return;
      pruned.getLayer(call.name).setWeights(sliceLayerWeights(call, source, slices[index]));
    });
  });
}
