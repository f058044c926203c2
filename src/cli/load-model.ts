// Loads a TensorFlow.js LayersModel (model.json plus weight shards) from the file system in Node,
// where tfjs-node and its file:// handler are not available.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs';

import { PeakPruneError } from '../core/errors';

type ManifestGroup = tf.io.WeightsManifestConfig[number];
type ManifestEntry = tf.io.WeightsManifestEntry;

function invalidModel(file: string, problem: string): PeakPruneError {
  return new PeakPruneError('invalid-model', `${file}: ${problem}`);
}

async function readBytes(file: string, role: string, modelJsonPath: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'not found' : `could not be read (${(error as Error).message})`;
    const hint = role === 'model file' ? 'Check the path.' : `Put it next to ${modelJsonPath} or fix the path in its weightsManifest.`;
    throw invalidModel(file, `${role} ${reason}. ${hint}`);
  }
}

/** Bytes per stored value of a manifest entry, or null for dtypes a shard cannot store. */
function bytesPerValue(entry: ManifestEntry): number | null {
  const dtype = entry.quantization?.dtype ?? entry.dtype;
  switch (dtype) {
    case 'float32':
    case 'int32':
      return 4;
    case 'uint16':
    case 'float16':
      return 2;
    case 'uint8':
    case 'bool':
      return 1;
    default:
      return null;
  }
}

function isManifestGroup(value: unknown): value is ManifestGroup {
  const group = value as ManifestGroup;
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray(group.paths) &&
    group.paths.every((p) => typeof p === 'string') &&
    Array.isArray(group.weights) &&
    group.weights.every((w) => typeof w?.name === 'string' && Array.isArray(w.shape) && typeof w.dtype === 'string')
  );
}

function parseModelJson(text: string, modelJsonPath: string): tf.io.ModelJSON {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalidModel(modelJsonPath, `is not valid JSON (${(error as Error).message}). Export the model again.`);
  }
  const model = json as Partial<tf.io.ModelJSON> | null;
  if (typeof model !== 'object' || model === null || typeof model.modelTopology !== 'object' || model.modelTopology === null) {
    throw invalidModel(modelJsonPath, 'has no "modelTopology" object, so it is not a TensorFlow.js LayersModel file.');
  }
  if (!Array.isArray(model.weightsManifest) || !model.weightsManifest.every(isManifestGroup)) {
    throw invalidModel(modelJsonPath, 'has no valid "weightsManifest" (a list of {paths, weights} groups).');
  }
  return model as tf.io.ModelJSON;
}

/** Reads one manifest group's shards in order and checks that their size matches the weights listed. */
async function readGroup(group: ManifestGroup, baseDir: string, modelJsonPath: string): Promise<Uint8Array[]> {
  const files = group.paths.map((p) => resolve(baseDir, p));
  const shards: Uint8Array[] = [];
  for (const file of files) shards.push(await readBytes(file, 'weight shard', modelJsonPath));

  let expected = 0;
  for (const entry of group.weights) {
    const size = bytesPerValue(entry);
    if (size === null) {
      throw invalidModel(modelJsonPath, `weight "${entry.name}" has dtype "${entry.dtype}", which a LayersModel file cannot store.`);
    }
    expected += size * entry.shape.reduce((a, b) => a * b, 1);
  }
  const actual = shards.reduce((sum, s) => sum + s.byteLength, 0);
  if (actual !== expected) {
    throw invalidModel(
      files.join(', '),
      `weight shards hold ${actual} bytes, but ${modelJsonPath} lists weights of ${expected} bytes. ` +
        'A shard is missing, truncated or from another model; export the model again.',
    );
  }
  return shards;
}

/**
 * Loads a LayersModel from `modelJsonPath` and the shards its weightsManifest names (relative to
 * the model.json folder). Throws `invalid-model` naming the file for a missing file, invalid
 * JSON, a shard whose size does not match the manifest, or a topology tfjs cannot build.
 */
export async function loadLayersModelFromFiles(modelJsonPath: string): Promise<tf.LayersModel> {
  const text = new TextDecoder().decode(await readBytes(modelJsonPath, 'model file', modelJsonPath));
  const modelJson = parseModelJson(text, modelJsonPath);

  const baseDir = dirname(resolve(modelJsonPath));
  const weightSpecs: ManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of modelJson.weightsManifest) {
    buffers.push(...(await readGroup(group, baseDir, modelJsonPath)));
    weightSpecs.push(...group.weights);
  }

  const weightData = new Uint8Array(buffers.reduce((sum, b) => sum + b.byteLength, 0));
  let offset = 0;
  for (const buffer of buffers) {
    weightData.set(buffer, offset);
    offset += buffer.byteLength;
  }

  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: modelJson.modelTopology,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
    trainingConfig: modelJson.trainingConfig,
    userDefinedMetadata: modelJson.userDefinedMetadata,
    weightSpecs,
    weightData: weightData.buffer,
  };
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    throw invalidModel(modelJsonPath, `TensorFlow.js could not build the model (${(error as Error).message}).`);
  }
}
