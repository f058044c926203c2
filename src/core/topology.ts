// Reads a model as one chain of layers and decides which convolution layers can lose filters.
// Only sequential-style, channels-last models are supported so far.

import * as tf from '@tensorflow/tfjs';

import { PeakPruneError } from './errors';
import type { LayerSummary } from './types';

/** Layer classes that pruning understands. Any other class stops the coupling walk. */
export type SupportedLayerClass =
  | 'InputLayer'
  | 'Conv2D'
  | 'BatchNormalization'
  | 'Activation'
  | 'ReLU'
  | 'MaxPooling2D'
  | 'AveragePooling2D'
  | 'Dropout'
  | 'Flatten'
  | 'GlobalAveragePooling2D'
  | 'GlobalMaxPooling2D'
  | 'Dense';

const SUPPORTED_LAYER_CLASSES: ReadonlySet<string> = new Set<SupportedLayerClass>([
  'InputLayer',
  'Conv2D',
  'BatchNormalization',
  'Activation',
  'ReLU',
  'MaxPooling2D',
  'AveragePooling2D',
  'Dropout',
  'Flatten',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'Dense',
]);

/** Returns the class name as a supported class, or undefined for any other layer class. */
export function asSupportedClass(className: string): SupportedLayerClass | undefined {
  return SUPPORTED_LAYER_CLASSES.has(className) ? (className as SupportedLayerClass) : undefined;
}

/** Fields of one layer's config as `layer.getConfig()` returns them (tfjs camelCase keys). */
export interface LayerConfigFields {
  name: string;
  [key: string]: unknown;
}

/** The fields of a Conv2D config that pruning reads or rewrites. */
export interface Conv2DConfigFields extends LayerConfigFields {
  filters: number;
  dataFormat?: string;
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

/** One layer of the chain: its runtime object beside its serialized config. */
export interface ChainLink {
  name: string;
  className: string;
  layer: tf.layers.Layer;
  entry: LayerConfigEntry;
}

/** A sequential-style model as an ordered chain from its input to its output. */
export interface ModelChain {
  modelName: string;
  kind: 'sequential' | 'functional';
  /** The config the chain was read from: a fresh copy that callers may rewrite. */
  config: ModelConfig;
  links: ChainLink[];
}

export type Coupling = { prunable: true } | { prunable: false; reason: string };

const CHAIN_ONLY = 'but only sequential-style models (one chain of layers, each feeding the next) are supported so far';

/**
 * Reads the model's layers as one chain from input to output.
 * Throws PeakPruneError('invalid-model') naming the layer that branches, merges or is reused.
 */
export function readChain(model: tf.LayersModel): ModelChain {
  const config = parseModelConfig(model);
  const isFunctional = Array.isArray(config.inputLayers) || Array.isArray(config.outputLayers);
  const names = isFunctional ? functionalOrder(model.name, config) : config.layers.map((e) => e.config.name);
  const entries = new Map(config.layers.map((entry) => [entry.config.name, entry]));
  const links = names.map((name): ChainLink => {
    const layer = model.getLayer(name);
    return { name, className: layer.getClassName(), layer, entry: entries.get(name)! };
  });
  return { modelName: model.name, kind: isFunctional ? 'functional' : 'sequential', config, links };
}

/** Lists every layer of the chain with its output shape, parameter count and prunability. */
export function summarizeModel(model: tf.LayersModel): LayerSummary[] {
  const { links } = readChain(model);
  return links.map((link, index): LayerSummary => {
    const summary: LayerSummary = {
      name: link.name,
      className: link.className,
      outputShape: outputShapeOf(link.layer).slice(1),
      params: link.layer.countParams(),
      prunable: false,
    };
    if (link.className === 'Conv2D') {
      const coupling = convCoupling(links, index);
      summary.prunable = coupling.prunable;
      if (!coupling.prunable) summary.reason = coupling.reason;
    }
    return summary;
  });
}

/**
 * Returns the names of the prunable Conv2D layers in chain order. The list is empty when the
 * model has convolutions but none can be pruned; `summarizeModel` gives each one's reason.
 * Throws PeakPruneError('no-prunable-layers') when the model has no Conv2D layer at all.
 */
export function prunableLayers(model: tf.LayersModel): string[] {
  const { links } = readChain(model);
  if (!links.some((link) => link.className === 'Conv2D')) {
    throw new PeakPruneError(
      'no-prunable-layers',
      `Model "${model.name}" has no convolution (Conv2D) layer, so there is nothing to prune.`,
    );
  }
  return links
    .filter((link, index) => link.className === 'Conv2D' && convCoupling(links, index).prunable)
    .map((link) => link.name);
}

/**
 * Decides whether the Conv2D at `index` can lose output channels: its output must reach,
 * through layers that keep channels apart, either another Conv2D or a Dense layer after
 * Flatten or global pooling. The reason is one sentence about the layer.
 */
export function convCoupling(links: readonly ChainLink[], index: number): Coupling {
  const conv = links[index];
  if (conv.className !== 'Conv2D') return { prunable: false, reason: `it is a ${conv.className} layer, not a Conv2D layer.` };
  if (isChannelsFirst(conv.entry.config)) {
    return { prunable: false, reason: 'channels-first convolutions are not supported yet.' };
  }
  // 'spatial': the tensor is still [H, W, C]; 'features': Flatten or global pooling made it [F].
  let stage: 'spatial' | 'features' = 'spatial';
  for (let j = index + 1; j < links.length; j++) {
    const step = couplingStep(links[j], stage);
    if (step.kind === 'reason') return { prunable: false, reason: step.reason };
    if (step.kind === 'consumer') return { prunable: true };
    stage = step.stage;
  }
  const reason =
    index === links.length - 1
      ? 'its output is the model output.'
      : `its output reaches the model output through layer "${links[links.length - 1].name}".`;
  return { prunable: false, reason };
}

type CouplingStep =
  | { kind: 'pass'; stage: 'spatial' | 'features' }
  | { kind: 'consumer' }
  | { kind: 'reason'; reason: string };

function couplingStep(link: ChainLink, stage: 'spatial' | 'features'): CouplingStep {
  const supported = asSupportedClass(link.className);
  const unsupported: CouplingStep = {
    kind: 'reason',
    reason: `layer class ${link.className} after it (layer "${link.name}") is not supported yet.`,
  };
  if (supported === undefined) return unsupported;
  if (isChannelsFirst(link.entry.config)) {
    return { kind: 'reason', reason: `layer "${link.name}" after it is channels-first, which is not supported yet.` };
  }
  switch (supported) {
    case 'InputLayer':
      return unsupported;
    case 'Conv2D':
      return stage === 'spatial' ? { kind: 'consumer' } : unsupported;
    case 'Dense':
      if (stage === 'features') return { kind: 'consumer' };
      return {
        kind: 'reason',
        reason: `Dense layer "${link.name}" takes its 4-D output without Flatten or global pooling, which is not supported yet.`,
      };
    case 'BatchNormalization':
      return normalizesLastAxis(link)
        ? { kind: 'pass', stage }
        : { kind: 'reason', reason: `BatchNormalization layer "${link.name}" after it does not normalize the channel axis.` };
    case 'Dropout':
      return hasNoiseShape(link)
        ? { kind: 'reason', reason: `Dropout layer "${link.name}" after it has a noiseShape, which is not supported yet.` }
        : { kind: 'pass', stage };
    case 'Activation':
    case 'ReLU':
      return { kind: 'pass', stage };
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return stage === 'spatial' ? { kind: 'pass', stage } : unsupported;
    case 'Flatten':
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      return stage === 'spatial' ? { kind: 'pass', stage: 'features' } : unsupported;
    default: {
      const unreachable: never = supported;
      return unreachable;
    }
  }
}

/** Returns the layer's output shape including the batch axis; a chain layer has exactly one. */
export function outputShapeOf(layer: tf.layers.Layer): (number | null)[] {
  const shape = layer.outputShape;
  if (Array.isArray(shape[0])) {
    throw new PeakPruneError('invalid-model', `Layer "${layer.name}" has several outputs, ${CHAIN_ONLY}.`);
  }
  return shape as (number | null)[];
}

function isChannelsFirst(config: LayerConfigFields): boolean {
  return config.dataFormat === 'channelsFirst';
}

function normalizesLastAxis(link: ChainLink): boolean {
  const axis = link.entry.config.axis ?? -1;
  const rank = outputShapeOf(link.layer).length;
  return axis === -1 || axis === rank - 1;
}

function hasNoiseShape(link: ChainLink): boolean {
  const noiseShape = link.entry.config.noiseShape;
  return noiseShape !== undefined && noiseShape !== null;
}

function parseModelConfig(model: tf.LayersModel): ModelConfig {
  const raw: unknown = model.getConfig();
  const record = isRecord(raw) ? raw : {};
  const layers: unknown = Array.isArray(raw) ? raw : record.layers;
  if (!Array.isArray(layers) || !layers.every(isLayerEntry)) {
    throw new PeakPruneError(
      'invalid-model',
      `Model "${model.name}" has a layer list that could not be read; save it again with TensorFlow.js.`,
    );
  }
  const config: ModelConfig = { name: typeof record.name === 'string' ? record.name : model.name, layers };
  if (Array.isArray(record.inputLayers)) config.inputLayers = record.inputLayers as unknown[][];
  if (Array.isArray(record.outputLayers)) config.outputLayers = record.outputLayers as unknown[][];
  return config;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLayerEntry(value: unknown): value is LayerConfigEntry {
  return (
    isRecord(value) &&
    typeof value.className === 'string' &&
    isRecord(value.config) &&
    typeof value.config.name === 'string'
  );
}

/** Orders a functional model's layers from input to output, rejecting anything but a chain. */
function functionalOrder(modelName: string, config: ModelConfig): string[] {
  const consumers = consumersByLayer(config.layers);
  for (const [name, list] of consumers) {
    if (list.length > 1) {
      throw new PeakPruneError(
        'invalid-model',
        `Layer "${name}" feeds ${list.length} layers (${list.join(', ')}), ${CHAIN_ONLY}.`,
      );
    }
  }
  const inputs = config.inputLayers ?? [];
  const outputs = config.outputLayers ?? [];
  if (inputs.length !== 1 || outputs.length !== 1) {
    throw new PeakPruneError(
      'invalid-model',
      `Model "${modelName}" has ${inputs.length} input(s) and ${outputs.length} output(s), ${CHAIN_ONLY}.`,
    );
  }
  const order = [String(inputs[0][0])];
  while (order.length <= config.layers.length) {
    const next = consumers.get(order[order.length - 1]);
    if (next === undefined) break;
    order.push(next[0]);
  }
  const outputName = String(outputs[0][0]);
  if (order[order.length - 1] !== outputName || order.length !== config.layers.length) {
    throw new PeakPruneError(
      'invalid-model',
      `Model "${modelName}" does not lead from its input to output layer "${outputName}" through every layer, ${CHAIN_ONLY}.`,
    );
  }
  return order;
}

function consumersByLayer(layers: readonly LayerConfigEntry[]): Map<string, string[]> {
  const consumers = new Map<string, string[]>();
  for (const entry of layers) {
    const name = entry.config.name;
    const nodes = entry.inboundNodes ?? [];
    if (nodes.length > 1) {
      throw new PeakPruneError('invalid-model', `Layer "${name}" is called ${nodes.length} times (shared layer), ${CHAIN_ONLY}.`);
    }
    const inbound = nodes[0] ?? [];
    if (inbound.length > 1) {
      throw new PeakPruneError('invalid-model', `Layer "${name}" takes ${inbound.length} inputs, ${CHAIN_ONLY}.`);
    }
    for (const ref of inbound) {
      const source = String(ref[0]);
      consumers.set(source, [...(consumers.get(source) ?? []), name]);
    }
  }
  return consumers;
}
