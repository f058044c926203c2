// Reads Keras models: legacy HDF5 (.h5, a model_config attribute and a model_weights group) and
// Keras 3 (.keras, a zip of config.json, metadata.json and model.weights.h5). The result is a
// tfjs topology plus each layer's weight arrays in the layer's own order.
// NOTE: the test files follow the documented layouts but were not written by Keras itself, so
// real files may differ (`.keras` weight paths, functional inbound nodes, `.h5` string attributes).
import * as tf from '@tensorflow/tfjs';

import { PeakPruneError } from '../errors';
import { datasetAt, groupAt, openHdf5, readingHdf5, readWeight, stringAttribute, stringListAttribute, type Hdf5Reader, type Hdf5Weight } from './hdf5';
import { baseName, decodeText, type InputFile } from './inputs';
import { findUnsupportedFeatures, kerasToTfjsTopology, reportFindings } from './keras-config';

/** A Keras model ready to build: topology, weights by layer name, and warnings for the user. */
export interface KerasModel {
  topology: Record<string, unknown>;
  weights: Map<string, Hdf5Weight[]>;
  notes: string[];
}

/** Reads a legacy Keras .h5 file written by model.save(). */
export async function readKerasH5(file: InputFile): Promise<KerasModel> {
  const reader = await openHdf5(file.bytes, file.path);
  try {
    return readingHdf5(file.path, () => legacyModel(reader, file.path));
  } finally {
    reader.close();
  }
}

function legacyModel(reader: Hdf5Reader, path: string): KerasModel {
  const configText = stringAttribute(reader.file, 'model_config');
  if (configText === undefined) {
    throw new PeakPruneError(
      'invalid-model',
      `${path} holds only weights (it has no model_config attribute, as model.save_weights() writes); save the whole model with model.save("model.h5").`,
    );
  }
  const config = parseConfig(configText, `${path} (model_config)`);
  const notes = reportFindings(findUnsupportedFeatures(config), path);
  const topology = kerasToTfjsTopology(config, stringAttribute(reader.file, 'keras_version'));
  return { topology, weights: legacyWeights(reader, path), notes };
}

/** Reads each layer's arrays from the model_weights group, in the order of its weight_names attribute. */
function legacyWeights(reader: Hdf5Reader, path: string): Map<string, Hdf5Weight[]> {
  const root = groupAt(reader.file, 'model_weights') ?? reader.file;
  const weights = new Map<string, Hdf5Weight[]>();
  for (const layerName of stringListAttribute(root, 'layer_names')) {
    const group = groupAt(root, layerName);
    if (group === undefined) continue;
    const arrays = stringListAttribute(group, 'weight_names').map((weightName) => {
      const dataset = datasetAt(group, weightName);
      if (dataset === undefined) {
        throw new PeakPruneError('invalid-model', `${path}: weight "${weightName}" of layer "${layerName}" is listed but missing; save the model again.`);
      }
      return readWeight(dataset, weightName.replace(/:\d+$/, ''), path);
    });
    weights.set(layerName, arrays);
  }
  return weights;
}

/** Reads a Keras 3 .keras file whose zip entries are already expanded. */
export async function readKerasV3(entries: readonly InputFile[], path: string): Promise<KerasModel> {
  const configFile = entries.find((entry) => baseName(entry.path) === 'config.json');
  const weightsFile = entries.find((entry) => baseName(entry.path) === 'model.weights.h5');
  if (configFile === undefined || weightsFile === undefined) {
    const missing = configFile === undefined ? 'config.json' : 'model.weights.h5';
    throw new PeakPruneError('invalid-model', `${path} has no ${missing}, so it is not a Keras 3 model file; save it again with model.save("model.keras").`);
  }
  const config = parseConfig(decodeText(configFile.bytes), `${path} (config.json)`);
  const metadataFile = entries.find((entry) => baseName(entry.path) === 'metadata.json');
  const metadata = metadataFile === undefined ? {} : parseConfig(decodeText(metadataFile.bytes), `${path} (metadata.json)`);
  const findings = findUnsupportedFeatures(config);
  for (const layer of nestedModelLayers(config)) {
    findings.push({ layer, className: 'Sequential or Functional', problem: 'nested models in .keras files are not supported yet', fatal: true });
  }
  const notes = reportFindings(findings, path);
  const topology = kerasToTfjsTopology(config, typeof metadata.keras_version === 'string' ? metadata.keras_version : undefined);

  const weightsPath = `${path} (model.weights.h5)`;
  const reader = await openHdf5(weightsFile.bytes, weightsPath);
  try {
    return { topology, weights: readingHdf5(weightsPath, () => v3Weights(reader, config, path)), notes };
  } finally {
    reader.close();
  }
}

function nestedModelLayers(config: Record<string, unknown>): string[] {
  const layers = ((config.config as Record<string, unknown> | undefined)?.layers as Record<string, unknown>[] | undefined) ?? [];
  return layers
    .filter((layer) => Array.isArray((layer.config as Record<string, unknown> | undefined)?.layers))
    .map((layer) => String((layer.config as Record<string, unknown>).name));
}

/**
 * Reads weights stored by Keras 3: layer i of the config has its variables under
 * "layers/<key>/vars/0", "1", … where <key> is the snake_case class name with "_1", "_2", …
 * appended for repeats, in config order (layer.name is tried too).
 */
function v3Weights(reader: Hdf5Reader, config: Record<string, unknown>, path: string): Map<string, Hdf5Weight[]> {
  const layers = ((config.config as Record<string, unknown> | undefined)?.layers as Record<string, unknown>[] | undefined) ?? [];
  const used = new Map<string, number>();
  const weights = new Map<string, Hdf5Weight[]>();
  for (const layer of layers) {
    const className = String(layer.class_name);
    const name = String((layer.config as Record<string, unknown> | undefined)?.name ?? className);
    const snake = snakeCase(className);
    const seen = used.get(snake) ?? 0;
    used.set(snake, seen + 1);
    const key = seen === 0 ? snake : `${snake}_${seen}`;
    const vars = groupAt(reader.file, `layers/${key}/vars`) ?? groupAt(reader.file, `layers/${name}/vars`);
    if (vars === undefined) continue;
    const indices = vars.keys().map(Number).filter(Number.isInteger).sort((a, b) => a - b);
    weights.set(
      name,
      indices.map((index) => readWeight(datasetAt(vars, String(index)) ?? missingVar(path, name, index), `${name}/${index}`, path)),
    );
  }
  return weights;
}

function missingVar(path: string, layer: string, index: number): never {
  throw new PeakPruneError('invalid-model', `${path}: variable ${index} of layer "${layer}" is not a dataset; save the model again.`);
}

/** Converts a class name the way Keras 3 names saved layers: "BatchNormalization" → "batch_normalization". */
export function snakeCase(name: string): string {
  return name
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

function parseConfig(text: string, where: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below with the same message as a non-object
  }
  throw new PeakPruneError('invalid-model', `${where} is not a valid JSON model config; save the Keras model again.`);
}

/**
 * Builds the tfjs model from a Keras topology and copies each layer's arrays into it, checking
 * counts and shapes. Weights match by name when every saved name equals a tfjs weight name,
 * else by position. Disposes the model when a layer does not match.
 */
export async function buildKerasModel(keras: KerasModel, path: string): Promise<tf.LayersModel> {
  let model: tf.LayersModel;
  try {
    model = await tf.models.modelFromJSON({ modelTopology: keras.topology } as unknown as tf.io.ModelJSON);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new PeakPruneError('invalid-model', `${path} could not be converted to a TensorFlow.js model: ${detail}`);
  }
  try {
    // Saved weights are grouped by top-level layer, so a nested model's group contains all its layers' weights.
    for (const layer of model.layers) {
      const saved = keras.weights.get(layer.name);
      if (saved !== undefined) assignLayerWeights(layer, saved, path);
    }
    const unfilled = model.layers.find((layer) => layer.weights.length > 0 && !keras.weights.has(layer.name));
    if (unfilled !== undefined) {
      throw new PeakPruneError('invalid-model', `${path}: layer "${unfilled.name}" (${unfilled.getClassName()}) has no saved weights; save the whole model again.`);
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

function assignLayerWeights(layer: tf.layers.Layer, saved: readonly Hdf5Weight[], path: string): void {
  const targets = layer.weights;
  if (targets.length !== saved.length) {
    throw new PeakPruneError(
      'invalid-model',
      `${path}: layer "${layer.name}" (${layer.getClassName()}) has ${saved.length} saved weights but needs ${targets.length}; the config and the weights do not belong together.`,
    );
  }
  const byName = new Map(saved.map((weight) => [weight.name, weight]));
  const ordered = targets.every((target) => byName.has(target.originalName)) ? targets.map((target) => byName.get(target.originalName) as Hdf5Weight) : saved;
  ordered.forEach((weight, i) => {
    const expected = targets[i].shape;
    if (weight.shape.length !== expected.length || weight.shape.some((dim, axis) => dim !== expected[axis])) {
      throw new PeakPruneError(
        'invalid-model',
        `${path}: weight "${weight.name}" of layer "${layer.name}" has shape [${weight.shape.join(', ')}] but the layer needs [${expected.join(', ')}]; the config and the weights do not belong together.`,
      );
    }
  });
  const tensors = ordered.map((weight) => tf.tensor(weight.values, weight.shape));
  try {
    layer.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}

/** Returns the shapes of all saved weights, for the GPU estimate before building. */
export function kerasWeightShapes(keras: KerasModel): { name: string; shape: number[] }[] {
  return [...keras.weights.values()].flat().map((weight) => ({ name: weight.name, shape: weight.shape }));
}
