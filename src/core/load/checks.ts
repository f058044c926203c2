// Checks on a model before and after tfjs builds it, each failing with one sentence that names
// the file and the layer. They run on every format, so a Keras file and a model.json get the
// same messages.
import * as tf from '@tensorflow/tfjs';

import { PeakPruneError } from '../errors';

interface LayerEntry {
  className: string;
  name: string;
  config: Record<string, unknown>;
}

/** Lists the layers of a Keras topology, descending into nested Sequential and Functional models. */
export function topologyLayers(topology: Record<string, unknown>): LayerEntry[] {
  const modelConfig = isRecord(topology.model_config) ? topology.model_config : topology;
  return layersOf(modelConfig);
}

function layersOf(model: Record<string, unknown>): LayerEntry[] {
  const config = model.config;
  // Keras 1 stored a Sequential's layers as the config itself.
  const layers = Array.isArray(config) ? config : isRecord(config) && Array.isArray(config.layers) ? config.layers : [];
  const entries: LayerEntry[] = [];
  for (const layer of layers as unknown[]) {
    if (!isRecord(layer) || typeof layer.class_name !== 'string') continue;
    const layerConfig = isRecord(layer.config) ? layer.config : {};
    let name = '(unnamed)';
    if (typeof layerConfig.name === 'string') name = layerConfig.name;
    else if (typeof layer.name === 'string') name = layer.name;
    entries.push({ className: layer.class_name, name, config: layerConfig });
    if (Array.isArray(layerConfig.layers)) entries.push(...layersOf(layer));
  }
  return entries;
}

/** Returns the layer and model class names that tfjs can deserialize. */
export function knownClassNames(): Set<string> {
  const map = tf.serialization.SerializationMap.getMap() as unknown as { classNameMap: Record<string, unknown> };
  return new Set(Object.keys(map.classNameMap));
}

/** Throws naming the first layer whose class tfjs does not provide, before tfjs tries to build it. */
export function checkLayerClasses(topology: Record<string, unknown>, path: string): void {
  const known = knownClassNames();
  for (const layer of topologyLayers(topology)) {
    if (known.has(layer.className)) continue;
    if (layer.className === 'Lambda') {
      throw new PeakPruneError(
        'invalid-model',
        `${path}: layer "${layer.name}" is a Lambda layer, whose Python code cannot run in TensorFlow.js; replace it with built-in layers and save the model again.`,
      );
    }
    throw new PeakPruneError(
      'invalid-model',
      `${path}: layer "${layer.name}" has class "${layer.className}", which TensorFlow.js ${tf.version.tfjs} does not provide; replace it with a built-in layer or remove it, then save the model again.`,
    );
  }
}

/** Throws naming the first layer with a NaN or infinite weight, which would poison every distance. */
export function checkFiniteWeights(model: tf.LayersModel, path: string): void {
  for (const layer of allLayers(model)) {
    for (const weight of layer.weights) {
      const bad = tf.tidy(() => tf.sum(tf.logicalNot(tf.isFinite(weight.read()))).dataSync()[0]);
      if (bad > 0) {
        throw new PeakPruneError(
          'invalid-model',
          `${path}: layer "${layer.name}" (${layer.getClassName()}) has ${bad} NaN or infinite values in weight "${weight.originalName}", so the model cannot be analysed; retrain it or fix the weights and save it again.`,
        );
      }
    }
  }
}

/** Throws unless the model takes one batch of images (height × width × channels). */
export function checkImageInput(model: tf.LayersModel, path: string): void {
  if (model.inputs.length !== 1) {
    throw new PeakPruneError('invalid-model', `${path}: the model has ${model.inputs.length} inputs, but pruning needs a model with one image input; save a model with a single input.`);
  }
  const shape = model.inputs[0].shape;
  if (shape.length !== 4) {
    throw new PeakPruneError(
      'invalid-model',
      `${path}: the model's input has shape [${shape.map((d) => d ?? 'batch').join(', ')}], which no image can match; pruning needs an input of shape [batch, height, width, channels].`,
    );
  }
}

const CONVOLUTION_CLASSES = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D']);

/** Throws when no layer (nested models included) is a 2D convolution, since only filters are pruned. */
export function checkHasConvolution(model: tf.LayersModel, path: string): void {
  if (allLayers(model).some((layer) => CONVOLUTION_CLASSES.has(layer.getClassName()))) return;
  throw new PeakPruneError(
    'no-prunable-layers',
    `${path} was not opened: it has no convolution layer (Conv2D), so there are no filters to prune; choose a convolutional model.`,
  );
}

/** Returns every layer, with the layers of nested models in place of the model layer. */
export function allLayers(model: tf.LayersModel): tf.layers.Layer[] {
  const layers: tf.layers.Layer[] = [];
  for (const layer of model.layers) {
    layers.push(layer);
    if (layer instanceof tf.LayersModel) layers.push(...allLayers(layer));
  }
  return layers;
}

/**
 * Returns a sentence describing quantized storage, or undefined when every weight is stored
 * as float32. tfjs dequantizes uint8, uint16 and float16 weights to float32 while loading.
 */
export function quantizationNote(specs: readonly tf.io.WeightsManifestEntry[]): string | undefined {
  const counts = new Map<string, number>();
  for (const spec of specs) {
    const dtype = spec.quantization?.dtype;
    if (dtype !== undefined) counts.set(dtype, (counts.get(dtype) ?? 0) + 1);
  }
  if (counts.size === 0) return undefined;
  const parts = [...counts.entries()].map(([dtype, count]) => `${count} of ${specs.length} weights as ${dtype}`);
  return `The weights are stored quantized (${parts.join(', ')}); they were expanded to float32 on loading, and exports write float32.`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
