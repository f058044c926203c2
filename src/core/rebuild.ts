// Builds a physically smaller copy of a sequential-style model with some conv filters removed.

import * as tf from '@tensorflow/tfjs';

import { PeakPruneError } from './errors';
import { asSupportedClass, convCoupling, outputShapeOf, readChain } from './topology';
import type { ChainLink, Conv2DConfigFields, ModelChain } from './topology';
import type { RemovalMap } from './types';

/** Surviving indices of one layer's weights: its input features and, for a pruned conv, its filters. */
interface LayerSlice {
  inputKeep?: number[];
  outputKeep?: number[];
}

/** Surviving indices along the last axis of the tensor between two layers, out of `total`. */
interface CarriedChannels {
  keep: number[];
  total: number;
}

/**
 * Builds a new model in which each layer of `removed` has lost the listed filters, and every
 * coupled layer (BatchNormalization, the next Conv2D's input channels, the Dense rows after
 * Flatten or global pooling) has lost the matching weights. Layer names are kept; the new model
 * is not compiled, and the original model is left unchanged. An empty map gives a copy.
 * Throws PeakPruneError('invalid-options') naming the layer when a removal list is invalid.
 */
export function rebuildPruned(model: tf.LayersModel, removed: RemovalMap): tf.LayersModel {
  const chain = readChain(model);
  const keptFilters = validateRemovals(chain, removed);
  const slices = planSlices(chain.links, keptFilters);

  for (const [name, keep] of keptFilters) {
    filterConfig(chain.links.find((link) => link.name === name)!).filters = keep.length;
  }
  const pruned = instantiate(chain);
  try {
    copyWeights(chain.links, pruned, slices);
  } catch (error) {
    pruned.dispose();
    throw error;
  }
  return pruned;
}

/** Checks every removal list and returns the kept filter indices of each layer that loses some. */
function validateRemovals(chain: ModelChain, removed: RemovalMap): Map<string, number[]> {
  const keptByLayer = new Map<string, number[]>();
  for (const [name, indices] of Object.entries(removed)) {
    const index = chain.links.findIndex((link) => link.name === name);
    if (index < 0) {
      throw new PeakPruneError(
        'invalid-options',
        `Layer "${name}" in the removal list is not in model "${chain.modelName}"; remove it from the list.`,
      );
    }
    const coupling = convCoupling(chain.links, index);
    if (!coupling.prunable) {
      throw new PeakPruneError('invalid-options', `Layer "${name}" cannot be pruned: ${coupling.reason}`);
    }
    const filters = filterConfig(chain.links[index]).filters;
    const keep = keptIndices(name, filters, indices);
    if (keep.length < filters) keptByLayer.set(name, keep);
  }
  return keptByLayer;
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

function filterConfig(link: ChainLink): Conv2DConfigFields {
  const config = link.entry.config;
  if (!Number.isInteger(config.filters) || (config.filters as number) < 1) {
    throw new PeakPruneError('invalid-model', `Conv2D layer "${link.name}" has no valid filters count in its config.`);
  }
  return config as Conv2DConfigFields;
}

/**
 * Follows the surviving channels down the chain and records, per layer, which weight indices
 * stay. Flatten turns channel c into the features (h·W + w)·C + c of channels-last flattening.
 */
function planSlices(links: readonly ChainLink[], keptFilters: ReadonlyMap<string, number[]>): Map<string, LayerSlice> {
  const slices = new Map<string, LayerSlice>();
  let carried: CarriedChannels | undefined;
  for (const [index, link] of links.entries()) {
    const slice: LayerSlice = {};
    const supported = asSupportedClass(link.className);
    if (supported === undefined) {
      if (carried !== undefined) {
        throw new PeakPruneError('internal', `Pruned channels reach layer "${link.name}" of unsupported class ${link.className}.`);
      }
      slices.set(link.name, slice);
      continue;
    }
    switch (supported) {
      case 'Conv2D': {
        slice.inputKeep = carried?.keep;
        slice.outputKeep = keptFilters.get(link.name);
        const filters = filterConfig(link).filters;
        carried = slice.outputKeep === undefined ? undefined : { keep: slice.outputKeep, total: filters };
        break;
      }
      case 'BatchNormalization':
        slice.inputKeep = carried?.keep;
        break;
      case 'Dense':
        slice.inputKeep = carried?.keep;
        carried = undefined;
        break;
      case 'Flatten':
        if (carried !== undefined) carried = flattenedFeatures(link, links[index - 1], carried);
        break;
      case 'InputLayer':
      case 'Activation':
      case 'ReLU':
      case 'Dropout':
      case 'MaxPooling2D':
      case 'AveragePooling2D':
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D':
        break;
      default: {
        const unreachable: never = supported;
        throw new PeakPruneError('internal', `Unhandled layer class ${String(unreachable)}.`);
      }
    }
    slices.set(link.name, slice);
  }
  return slices;
}

function flattenedFeatures(link: ChainLink, previous: ChainLink, channels: CarriedChannels): CarriedChannels {
  const spatial = outputShapeOf(previous.layer).slice(1, -1);
  if (spatial.some((dim) => dim === null)) {
    throw new PeakPruneError('invalid-model', `Flatten layer "${link.name}" has an input of unknown height or width.`);
  }
  const positions = (spatial as number[]).reduce((product, dim) => product * dim, 1);
  const keep: number[] = [];
  for (let position = 0; position < positions; position++) {
    for (const channel of channels.keep) keep.push(position * channels.total + channel);
  }
  return { keep, total: positions * channels.total };
}

function instantiate(chain: ModelChain): tf.LayersModel {
  const config = chain.config as unknown as tf.serialization.ConfigDict;
  // fastWeightInit skips the initializers, because copyWeights overwrites every weight.
  if (chain.kind === 'sequential') return tf.Sequential.fromConfig(tf.Sequential, config, {}, true) as tf.Sequential;
  return tf.LayersModel.fromConfig(tf.LayersModel, config, {}, true) as tf.LayersModel;
}

/** Copies each layer's weights into the new model, sliced where the plan removes indices. */
function copyWeights(links: readonly ChainLink[], pruned: tf.LayersModel, slices: ReadonlyMap<string, LayerSlice>): void {
  tf.tidy(() => {
    for (const link of links) {
      // read() returns the original model's own variables: they are read, never disposed.
      const source = link.layer.weights.map((weight) => weight.read());
      if (source.length === 0) continue;
      const slice = slices.get(link.name) ?? {};
      pruned.getLayer(link.name).setWeights(sliceWeights(link, source, slice));
    }
  });
}

/**
 * Slices one layer's weights, in the order the layer created them: Conv2D and Dense have the
 * kernel first and the optional bias second; BatchNormalization has only per-channel vectors.
 */
function sliceWeights(link: ChainLink, weights: tf.Tensor[], slice: LayerSlice): tf.Tensor[] {
  const supported = asSupportedClass(link.className);
  if (supported === undefined) return weights;
  switch (supported) {
    case 'Conv2D': {
      const kernel = gatherIf(gatherIf(weights[0], slice.inputKeep, 2), slice.outputKeep, 3);
      return [kernel, ...weights.slice(1).map((bias) => gatherIf(bias, slice.outputKeep, 0))];
    }
    case 'BatchNormalization':
      // gamma and beta are absent when scale or center is false; every vector present is sliced.
      return weights.map((vector) => gatherIf(vector, slice.inputKeep, 0));
    case 'Dense':
      return [gatherIf(weights[0], slice.inputKeep, 0), ...weights.slice(1)];
    case 'InputLayer':
    case 'Activation':
    case 'ReLU':
    case 'Dropout':
    case 'MaxPooling2D':
    case 'AveragePooling2D':
    case 'Flatten':
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      return weights;
    default: {
      const unreachable: never = supported;
      throw new PeakPruneError('internal', `Unhandled layer class ${String(unreachable)}.`);
    }
  }
}

function gatherIf(tensor: tf.Tensor, keep: number[] | undefined, axis: number): tf.Tensor {
  if (keep === undefined) return tensor;
  return tf.gather(tensor, tf.tensor1d(keep, 'int32'), axis);
}
