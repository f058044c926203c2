// Reads a TensorFlow.js layers model: model.json plus the weight shards its manifest lists.
// Every failure names the file and the next step, because users often bring a graph model,
// a half-downloaded file or a shard renamed by the browser ("group1-shard1of1 (1).bin").
import type * as tf from '@tensorflow/tfjs';

import { PeakPruneError } from '../errors';
import { baseName, decodeText, folderOf, joinPath, normalizePath, type InputFile } from './inputs';

/** Command that turns a Keras model into a layers model, which is the only kind that can be pruned. */
export const CONVERT_HINT =
  'convert the Keras model with "tensorflowjs_converter --input_format=keras --output_format=tfjs_layers_model model.h5 out/", or open the .h5 or .keras file itself';

interface WeightGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

/** Parses model.json, naming the file and the position when the JSON is invalid or cut short. */
export function parseJsonFile(file: InputFile): Record<string, unknown> {
  const text = decodeText(file.bytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    if (text.trim() === '') {
      throw new PeakPruneError('invalid-model', `${file.path} is empty; choose the model.json that TensorFlow.js wrote.`);
    }
    if (endsEarly(text, detail)) {
      throw new PeakPruneError('invalid-model', `${file.path} ends before its JSON is complete (${text.length} characters), so it is truncated; download or copy it again.`);
    }
    throw new PeakPruneError('invalid-model', `${file.path} is not valid JSON (${detail}); choose the model.json that TensorFlow.js wrote.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new PeakPruneError('invalid-model', `${file.path} contains JSON but not an object, so it is not a TensorFlow.js model.json; choose the model.json that TensorFlow.js wrote.`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Returns whether a JSON.parse error points at the end of the text, which is how a cut-off file
 * fails. V8 reports either "Unexpected end of JSON input" or a position at the text's end
 * ("Expected ':' after property name in JSON at position 80").
 */
function endsEarly(text: string, detail: string): boolean {
  if (/end of JSON input|Unterminated/i.test(detail)) return true;
  const position = /at position (\d+)/.exec(detail);
  return position !== null && Number(position[1]) >= text.trimEnd().length;
}

/** Returns the Keras topology of a layers model.json, rejecting graph models with the conversion command. */
export function layersTopology(json: Record<string, unknown>, path: string): Record<string, unknown> {
  const topology = json.modelTopology;
  if (typeof topology !== 'object' || topology === null || Array.isArray(topology)) {
    throw new PeakPruneError('invalid-model', `${path} has no modelTopology, so it is not a TensorFlow.js model file; choose the model.json that TensorFlow.js wrote.`);
  }
  const record = topology as Record<string, unknown>;
  if (json.format === 'graph-model' || Array.isArray(record.node)) {
    throw new PeakPruneError('invalid-model', `${path} is a graph model, but only layers models can be pruned; ${CONVERT_HINT}.`);
  }
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw new PeakPruneError('invalid-model', `${path} has format "${String(json.format)}", but only layers models can be pruned; ${CONVERT_HINT}.`);
  }
  const config = record.model_config;
  const inner = typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : record;
  if (typeof inner.class_name !== 'string' || typeof inner.config !== 'object' || inner.config === null) {
    throw new PeakPruneError('invalid-model', `${path} has a modelTopology without a Keras model config ("class_name" and "config"); save the model again with model.save().`);
  }
  return record;
}

/** Checks the manifest's shape: a list of groups, each with string paths and typed weight entries. */
export function readManifest(manifest: unknown, path: string): WeightGroup[] {
  if (manifest === undefined) return [];
  if (!Array.isArray(manifest)) {
    throw new PeakPruneError('invalid-model', `${path} has a weightsManifest that is not a list; save the model again with model.save().`);
  }
  manifest.forEach((group, index) => {
    const record = typeof group === 'object' && group !== null ? (group as Record<string, unknown>) : {};
    const paths = record.paths;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string') || !Array.isArray(record.weights)) {
      throw new PeakPruneError('invalid-model', `${path} has a malformed weightsManifest: group ${index + 1} needs "paths" (file names) and "weights"; save the model again.`);
    }
    for (const entry of record.weights as unknown[]) checkWeightEntry(entry, index, path);
  });
  return manifest as WeightGroup[];
}

function checkWeightEntry(entry: unknown, group: number, path: string): void {
  const record = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
  const name = typeof record.name === 'string' ? record.name : `entry in group ${group + 1}`;
  const shape = record.shape;
  if (typeof record.name !== 'string' || typeof record.dtype !== 'string') {
    throw new PeakPruneError('invalid-model', `${path} has a malformed weightsManifest: weight "${name}" needs a "name" and a "dtype"; save the model again.`);
  }
  if (!Array.isArray(shape) || !shape.every((dim) => Number.isInteger(dim) && dim >= 0)) {
    throw new PeakPruneError('invalid-model', `${path} has a malformed weightsManifest: weight "${name}" has shape ${JSON.stringify(shape)}, not a list of sizes; save the model again.`);
  }
}

/** Bytes per stored element, by dtype or by quantization dtype. */
const BYTES_PER_ELEMENT: ReadonlyMap<string, number> = new Map([
  ['float32', 4],
  ['int32', 4],
  ['bool', 1],
  ['uint8', 1],
  ['uint16', 2],
  ['float16', 2],
]);

/** Returns the bytes one weight occupies in its shard (after quantization, when it is quantized). */
export function storedBytes(entry: tf.io.WeightsManifestEntry, path: string): number {
  const storedType = entry.quantization?.dtype ?? entry.dtype;
  const bytes = BYTES_PER_ELEMENT.get(storedType);
  if (bytes === undefined) {
    throw new PeakPruneError('invalid-model', `Weight "${entry.name}" in ${path} has dtype "${storedType}", which cannot be read; save the model with float32 weights.`);
  }
  return bytes * elementCount(entry.shape);
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/**
 * Finds each manifest path among the files: first by its path relative to model.json's folder,
 * then by its file name alone (a file picker gives no folders). Throws naming every missing
 * shard and any unused files, since a shard renamed on download is the usual cause.
 */
export function matchShardFiles(groups: readonly WeightGroup[], modelFile: InputFile, files: readonly InputFile[]): Map<string, InputFile> {
  const folder = folderOf(modelFile.path);
  const byPath = new Map(files.map((file) => [normalizePath(file.path), file]));
  const matched = new Map<string, InputFile>();
  const missing: string[] = [];
  for (const path of groups.flatMap((group) => group.paths)) {
    const file = byPath.get(joinPath(folder, path)) ?? uniqueByName(files, baseName(path));
    if (file === undefined) missing.push(path);
    else matched.set(path, file);
  }
  if (missing.length > 0) throw missingShards(missing, modelFile, files, matched);
  return matched;
}

function uniqueByName(files: readonly InputFile[], name: string): InputFile | undefined {
  const found = files.filter((file) => baseName(file.path) === name);
  return found.length === 1 ? found[0] : undefined;
}

function missingShards(missing: readonly string[], modelFile: InputFile, files: readonly InputFile[], matched: Map<string, InputFile>): PeakPruneError {
  const used = new Set([modelFile, ...matched.values()]);
  const unused = files.filter((file) => !used.has(file) && !/\.(json|txt|md)$/i.test(file.path)).map((file) => `"${file.path}"`);
  const modelName = baseName(modelFile.path);
  const hint =
    unused.length > 0
      ? `Among the chosen files, ${unused.slice(0, 3).join(', ')} ${unused.length === 1 ? 'is' : 'are'} unused; rename a shard to the name its manifest gives.`
      : `Choose them together with ${modelName}.`;
  return new PeakPruneError('invalid-model', `${modelFile.path} needs the weight files ${missing.join(', ')}, which were not chosen. ${hint}`);
}

/**
 * Checks that a group's shards add up to the bytes its weights need, naming the shard at fault.
 * The manifest gives no size per shard, so the culprit is found from how tensorflowjs_converter
 * and model.save() write shards: all of one size except a shorter last one.
 */
export function checkGroupLength(group: WeightGroup, shards: readonly InputFile[], modelPath: string): void {
  const expected = group.weights.reduce((sum, entry) => sum + storedBytes(entry, modelPath), 0);
  const sizes = shards.map((shard) => shard.bytes.byteLength);
  const actual = sizes.reduce((sum, size) => sum + size, 0);
  if (actual === expected) return;

  const { index, wanted } = wrongShard(sizes, expected);
  const problem = sizes[index] < wanted ? 'is truncated' : 'is too long or belongs to another model';
  throw new PeakPruneError(
    'invalid-model',
    `Weight file "${shards[index].path}" has ${sizes[index]} bytes, but ${modelPath} describes ${wanted} bytes, so it ${problem}; copy or download it again.`,
  );
}

/** Returns the shard whose size breaks the pattern, and the size it should have. */
function wrongShard(sizes: readonly number[], expected: number): { index: number; wanted: number } {
  const last = sizes.length - 1;
  if (last === 0) return { index: 0, wanted: expected };
  const full = mostCommon(sizes.slice(0, last));
  const odd = sizes.findIndex((size, i) => i < last && size !== full);
  if (odd >= 0) return { index: odd, wanted: full };
  return { index: last, wanted: expected - full * last };
}

function mostCommon(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
}

/** Joins the shards of every group in manifest order into the artifacts tfjs loads from memory. */
export function tfjsArtifacts(json: Record<string, unknown>, modelFile: InputFile, files: readonly InputFile[]): tf.io.ModelArtifacts {
  const topology = layersTopology(json, modelFile.path);
  const groups = readManifest(json.weightsManifest, modelFile.path);
  const matched = matchShardFiles(groups, modelFile, files);
  const buffers: Uint8Array[] = [];
  for (const group of groups) {
    const shards = group.paths.map((path) => matched.get(path) as InputFile);
    checkGroupLength(group, shards, modelFile.path);
    buffers.push(...shards.map((shard) => shard.bytes));
  }
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: topology,
    format: 'layers-model',
    weightSpecs: groups.flatMap((group) => group.weights),
    weightData: joinBuffers(buffers),
  };
  if (typeof json.generatedBy === 'string') artifacts.generatedBy = json.generatedBy;
  if (typeof json.userDefinedMetadata === 'object' && json.userDefinedMetadata !== null) {
    artifacts.userDefinedMetadata = json.userDefinedMetadata as Record<string, never>;
  }
  return artifacts;
}

export function joinBuffers(parts: readonly Uint8Array[]): ArrayBuffer {
  const total = parts.reduce((sum, part) => sum + part.byteLength, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined.buffer;
}
