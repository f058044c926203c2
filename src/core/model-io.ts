// Converts LayersModels to and from the files TensorFlow.js reads: model.json and one weights file.
// Pure: callers read and write the bytes (file input, download, or the file system in Node).

import * as tf from '@tensorflow/tfjs';

import { PeakPruneError } from './errors';
import { joinBuffers } from './load/tfjs-json';

/** The two files of a saved model, ready to write or download. */
export interface ModelFiles {
  /** Text of model.json. */
  modelJson: string;
  /** Contents of the weights file that model.json names. */
  weights: Uint8Array;
  weightsFileName: string;
}

/** Saves the model's topology and weights to memory, as `model.save` would write them. */
export async function saveToArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (saved === undefined) {
    throw new PeakPruneError('internal', `Saving model "${model.name}" produced no artifacts.`);
  }
  return saved;
}

/**
 * Writes artifacts as a standard model.json (format 'layers-model') whose weights manifest has
 * one group stored in `${baseName}.weights.bin`, so `tf.loadLayersModel` can read both files.
 */
export function artifactsToFiles(artifacts: tf.io.ModelArtifacts, baseName = 'model'): ModelFiles {
  if (baseName === '' || /[/\\]/.test(baseName)) {
    throw new PeakPruneError('invalid-options', `File base name "${baseName}" is invalid; use a plain name without slashes.`);
  }
  if (artifacts.modelTopology === undefined || artifacts.modelTopology instanceof ArrayBuffer) {
    throw new PeakPruneError('invalid-model', 'The model artifacts have no JSON topology, so no model.json can be written.');
  }
  const weightsFileName = `${baseName}.weights.bin`;
  const json: Record<string, unknown> = {
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [weightsFileName], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig !== undefined) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata !== undefined) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  return { modelJson: JSON.stringify(json), weights: new Uint8Array(joinBuffers(toBuffers(artifacts.weightData))), weightsFileName };
}

/**
 * Loads a layers model from the text (or parsed object) of model.json and its weight files.
 * Shards are looked up by their manifest path, then by the path's last segment, because a
 * file picker gives names without folders. Throws PeakPruneError('invalid-model') naming
 * `fileName` or the shard when the JSON is not a layers model or a shard is missing or truncated.
 */
export async function loadFromFiles(
  modelJson: unknown,
  shards: ReadonlyMap<string, ArrayBuffer | Uint8Array>,
  fileName = 'model.json',
): Promise<tf.LayersModel> {
  const json = parseModelJson(modelJson, fileName);
  const topology = layersTopology(json, fileName);
  const groups = readManifest(json.weightsManifest, fileName);

  const buffers: Uint8Array[] = [];
  for (const group of groups) buffers.push(...groupShards(group, shards, fileName));
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: topology,
    format: 'layers-model',
    weightSpecs: groups.flatMap((group) => group.weights),
    weightData: joinBuffers(buffers),
  };
  if (typeof json.generatedBy === 'string') artifacts.generatedBy = json.generatedBy;
  if (isRecord(json.trainingConfig)) artifacts.trainingConfig = json.trainingConfig as unknown as tf.io.TrainingConfig;
  if (isRecord(json.userDefinedMetadata)) artifacts.userDefinedMetadata = json.userDefinedMetadata as tf.io.ModelArtifacts['userDefinedMetadata'];

  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new PeakPruneError('invalid-model', `The model in ${fileName} could not be built: ${detail}`);
  }
}

function parseModelJson(modelJson: unknown, fileName: string): Record<string, unknown> {
  let parsed = modelJson;
  if (typeof modelJson === 'string') {
    try {
      parsed = JSON.parse(modelJson);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new PeakPruneError('invalid-model', `${fileName} is not valid JSON (${detail}); choose the model.json that TensorFlow.js wrote.`);
    }
  }
  if (!isRecord(parsed) || !isRecord(parsed.modelTopology)) {
    throw new PeakPruneError('invalid-model', `${fileName} has no modelTopology, so it is not a TensorFlow.js model file.`);
  }
  return parsed;
}

const GRAPH_MODEL_MESSAGE =
  'but only layers models (format "layers-model") can be pruned. Converted SavedModels and other graph models are not supported';

function layersTopology(json: Record<string, unknown>, fileName: string): Record<string, unknown> {
  const topology = json.modelTopology as Record<string, unknown>;
  if (json.format === 'graph-model' || Array.isArray(topology.node)) {
    throw new PeakPruneError('invalid-model', `${fileName} is a graph model, ${GRAPH_MODEL_MESSAGE}.`);
  }
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw new PeakPruneError('invalid-model', `${fileName} has format "${String(json.format)}", ${GRAPH_MODEL_MESSAGE}.`);
  }
  if (typeof topology.class_name !== 'string' && !isRecord(topology.model_config)) {
    throw new PeakPruneError('invalid-model', `${fileName} has a modelTopology without a Keras model config (class_name).`);
  }
  return topology;
}

interface WeightGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

function readManifest(manifest: unknown, fileName: string): WeightGroup[] {
  if (manifest === undefined) return [];
  const valid =
    Array.isArray(manifest) &&
    manifest.every(
      (group) =>
        isRecord(group) &&
        Array.isArray(group.paths) &&
        group.paths.every((path) => typeof path === 'string') &&
        Array.isArray(group.weights) &&
        group.weights.every(isWeightEntry),
    );
  if (!valid) {
    throw new PeakPruneError('invalid-model', `${fileName} has a malformed weightsManifest; each group needs "paths" and "weights".`);
  }
  return manifest as WeightGroup[];
}

function isWeightEntry(value: unknown): boolean {
  return (
    isRecord(value) &&
    typeof value.name === 'string' &&
    typeof value.dtype === 'string' &&
    Array.isArray(value.shape) &&
    value.shape.every((dim) => Number.isInteger(dim) && dim >= 0)
  );
}

/** Returns the group's shards in manifest order after checking that they add up to its weights. */
function groupShards(group: WeightGroup, shards: ReadonlyMap<string, ArrayBuffer | Uint8Array>, fileName: string): Uint8Array[] {
  const found = group.paths.map((path) => {
    const shard = shards.get(path) ?? shards.get(path.slice(path.lastIndexOf('/') + 1));
    if (shard === undefined) {
      throw new PeakPruneError('invalid-model', `${fileName} needs weight file "${path}", which is missing; select it together with ${fileName}.`);
    }
    return shard instanceof Uint8Array ? shard : new Uint8Array(shard);
  });
  const expected = group.weights.reduce((sum, entry) => sum + weightBytes(entry, fileName), 0);
  const actual = found.reduce((sum, shard) => sum + shard.byteLength, 0);
  if (actual !== expected) {
    // NOTE: the manifest gives no size per shard, only per group, so a group of several shards is checked as a whole.
    const names = group.paths.map((path) => `"${path}"`).join(', ');
    throw new PeakPruneError(
      'invalid-model',
      `Weight file ${names} has ${actual} bytes, but ${fileName} describes ${expected} bytes; the file is truncated or belongs to another model.`,
    );
  }
  return found;
}

/** Bytes per stored element, by dtype or by quantization dtype. */
const BYTES_PER_ELEMENT: ReadonlyMap<string, number> = new Map([
  ['float32', 4],
  ['int32', 4],
  ['bool', 1],
  ['complex64', 8],
  ['uint8', 1],
  ['uint16', 2],
  ['float16', 2],
]);

function weightBytes(entry: tf.io.WeightsManifestEntry, fileName: string): number {
  const storedType = entry.quantization?.dtype ?? entry.dtype;
  const bytes = BYTES_PER_ELEMENT.get(storedType);
  if (bytes === undefined) {
    throw new PeakPruneError('invalid-model', `Weight "${entry.name}" in ${fileName} has unsupported dtype "${storedType}".`);
  }
  return bytes * entry.shape.reduce((product, dim) => product * dim, 1);
}

function toBuffers(weightData: tf.io.WeightData | undefined): Uint8Array[] {
  if (weightData === undefined) return [];
  const buffers = Array.isArray(weightData) ? weightData : [weightData];
  return buffers.map((buffer) => new Uint8Array(buffer));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
