// Parses the serialized config of a LayersModel into typed entries.

import type * as tf from '@tensorflow/tfjs';

import { PeakPruneError } from '../errors';
import type { LayerConfigEntry, ModelConfig } from '../topology';

/** Returns a fresh, typed copy of the model's config. Throws 'invalid-model' when its layer list is unreadable. */
export function parseModelConfig(model: tf.LayersModel): ModelConfig {
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

export function isRecord(value: unknown): value is Record<string, unknown> {
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
