// Lists a model's layers and decides which convolutions can lose filters, using the channel
// graph of src/core/graph: Sequential and functional models, branches, merges, several inputs
// and outputs, and nested models, whose layers are listed as if inlined.

import * as tf from '@tensorflow/tfjs';

import { PeakPruneError } from './errors';
import type { FrozenLayer } from './graph/context';
import { withInlinedModel } from './graph/flatten';
import { analyzeChannels, type ChannelGraph, type CoupledGroup } from './graph/propagate';
import { PRODUCER_CLASSES } from './graph/rules';
import type { LayerSummary } from './types';

/** Fields of one layer's config as `layer.getConfig()` returns them (tfjs camelCase keys). */
export interface LayerConfigFields {
  name: string;
  [key: string]: unknown;
}

/** One entry of the `layers` list in a model config. */
export interface LayerConfigEntry {
  className: string;
  config: LayerConfigFields;
  /** Functional models only: per call of the layer, its inputs as [layer, node, tensor, kwargs]. */
  inboundNodes?: unknown[][][];
}

/** A model config as `model.getConfig()` returns it, for Sequential and functional models. */
export interface ModelConfig {
  name: string;
  layers: LayerConfigEntry[];
  /** Functional models only: [layer, node, tensor] of each model input. */
  inputLayers?: unknown[][];
  /** Functional models only: [layer, node, tensor] of each model output. */
  outputLayers?: unknown[][];
}

/** Coupled groups and frozen layers of a model, as `inspect` prints them. */
export interface ChannelStructure {
  groups: { name: string; members: string[]; channels: number; prunable: boolean; reason?: string }[];
  frozen: FrozenLayer[];
}

/**
 * Lists every layer with its output shape (the first output for a layer with several),
 * parameter count and prunability. Functional models list their InputLayers too.
 */
export function summarizeModel(model: tf.LayersModel): LayerSummary[] {
  return withInlinedModel(model, (flat) => {
    const channels = analyzeChannels(flat);
    return flat.layers.map((layer) => summarizeLayer(layer, channels));
  });
}

function summarizeLayer(layer: tf.layers.Layer, channels: ChannelGraph): LayerSummary {
  const summary: LayerSummary = {
    name: layer.name,
    className: layer.getClassName(),
    outputShape: firstOutputShape(layer).slice(1),
    params: layer.countParams(),
    prunable: false,
  };
  const group = channels.groups.find((candidate) => candidate.members.includes(layer.name));
  if (group !== undefined) {
    Object.assign(summary, groupFields(layer.name, group));
  } else if (PRODUCER_CLASSES.has(summary.className)) {
    summary.reason = `it ${channels.context.callReasons.get(layer.name) ?? 'is not connected to a model output'}.`;
  }
  const frozen = channels.frozenLayers.find((entry) => entry.name === layer.name);
  if (frozen !== undefined && !PRODUCER_CLASSES.has(summary.className)) summary.frozenReason = `it ${frozen.reason}.`;
  return summary;
}

function groupFields(name: string, group: CoupledGroup): Partial<LayerSummary> {
  const fields: Partial<LayerSummary> = { group: group.name };
  if (group.frozenReason !== undefined) fields.reason = `${group.frozenReason}.`;
  else if (group.name === name) fields.prunable = true;
  else fields.reason = `its filters are removed together with those of layer "${group.name}", which leads its coupled group.`;
  if (group.name === name && group.members.length > 1) fields.groupMembers = [name, ...group.members.filter((m) => m !== name)];
  return fields;
}

/**
 * Returns the names of the prunable units in graph order: each a convolution, or the lead of a
 * coupled group. The list is empty when the model has convolutions but none can be pruned;
 * `summarizeModel` gives each one's reason. Throws PeakPruneError('no-prunable-layers') when the
 * model has no convolution at all.
 */
export function prunableLayers(model: tf.LayersModel): string[] {
  return withInlinedModel(model, (flat) => {
    const channels = analyzeChannels(flat);
    requireConvolution(flat, channels);
    return prunableGroups(channels).map((group) => group.name);
  });
}

/** Returns the coupled groups that can lose channels, in graph order of their lead. */
export function prunableGroups(channels: ChannelGraph): CoupledGroup[] {
  const leadCall = (group: CoupledGroup) => group.memberCalls[group.members.indexOf(group.name)];
  return channels.groups.filter((group) => group.frozenReason === undefined && group.channels > 0).sort((a, b) => leadCall(a) - leadCall(b));
}

/** Throws PeakPruneError('no-prunable-layers') when the model has no convolution layer. */
export function requireConvolution(model: tf.LayersModel, channels: ChannelGraph): void {
  if (!channels.graph.layers.some((call) => PRODUCER_CLASSES.has(call.className))) {
    throw new PeakPruneError(
      'no-prunable-layers',
      `Model "${model.name}" has no convolution (Conv1D, Conv2D or SeparableConv2D) layer, so there is nothing to prune.`,
    );
  }
}

/** Returns every coupled group and every frozen layer with its reason. */
export function describeChannels(model: tf.LayersModel): ChannelStructure {
  return withInlinedModel(model, (flat) => channelStructure(analyzeChannels(flat)));
}

function channelStructure(channels: ChannelGraph): ChannelStructure {
  return {
    groups: channels.groups.map((group) => ({
      name: group.name,
      members: group.members,
      channels: group.channels,
      prunable: group.frozenReason === undefined && group.channels > 0,
      ...(group.frozenReason === undefined ? {} : { reason: group.frozenReason }),
    })),
    frozen: channels.frozenLayers,
  };
}

/** Returns the layer's output shape, batch axis included; for a layer with several outputs, the first. */
export function firstOutputShape(layer: tf.layers.Layer): (number | null)[] {
  const shape = layer.outputShape;
  return (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[];
}
