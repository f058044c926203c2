// Opens a model from whatever files a user brings: model.json with its shards in any order, a
// folder, a .zip of either, a Teachable Machine export, a Keras .h5 or .keras file. Every format
// passes the same checks, so the messages do not depend on how the model arrived.
import * as tf from '@tensorflow/tfjs';

import { PeakPruneError } from '../errors';
import { checkFiniteWeights, checkHasConvolution, checkImageInput, checkLayerClasses, quantizationNote } from './checks';
import { checkGpuFit, type GpuLimits, type WeightShape } from './gpu-budget';
import { baseName, isHdf5, isZip, startsLikeJsonObject, type InputFile } from './inputs';
import { buildKerasModel, kerasWeightShapes, readKerasH5, readKerasV3, type KerasModel } from './keras';
import { isMetadataFile, readTeachableMetadata, teachableMismatch, type TeachableMetadata } from './teachable';
import { layersTopology, parseJsonFile, tfjsArtifacts } from './tfjs-json';
import { expandZip, type ZipLimits } from './zip';

export type { InputFile } from './inputs';
export type { GpuLimits } from './gpu-budget';

export type ModelFormat = 'tfjs-layers' | 'teachable-machine' | 'keras-h5' | 'keras-v3';

export interface OpenOptions {
  /** When given, models whose weights exceed these limits are rejected before they are built. */
  gpu?: GpuLimits;
  zip?: ZipLimits;
}

/** A built model and what the user should know about how it was read. */
export interface OpenedModel {
  model: tf.LayersModel;
  /** Name shown to the user: the model.json path, or the .h5, .keras or .zip file name. */
  source: string;
  format: ModelFormat;
  /** Sentences about conversions and dropped features; empty when loading changed nothing. */
  notes: string[];
  /** Class names from a Teachable Machine metadata.json. */
  classNames?: string[];
}

/** A model found among the files but not built yet. */
interface Candidate {
  source: string;
  format: ModelFormat;
  topology: Record<string, unknown>;
  weights: WeightShape[];
  notes: string[];
  metadata?: TeachableMetadata;
  build(): Promise<tf.LayersModel>;
}

/**
 * Finds the one model among `files`, builds it and checks it. Throws PeakPruneError with one
 * sentence naming the file, layer or weight at fault; nothing stays allocated after a failure.
 */
export async function openModel(files: readonly InputFile[], options: OpenOptions = {}): Promise<OpenedModel> {
  return openCandidate(await findCandidate(files, options), options);
}

async function openCandidate(candidate: Candidate, options: OpenOptions): Promise<OpenedModel> {
  checkLayerClasses(candidate.topology, candidate.source);
  if (options.gpu !== undefined) checkGpuFit(candidate.weights, options.gpu, candidate.source);

  const model = await candidate.build();
  try {
    checkImageInput(model, candidate.source);
    checkHasConvolution(model, candidate.source);
    checkFiniteWeights(model, candidate.source);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return finish(model, candidate);
}

/**
 * Opens a model from artifacts another tfjs IO handler loaded (IndexedDB, for instance), with
 * the same checks as openModel.
 */
export async function openArtifacts(artifacts: tf.io.ModelArtifacts, source: string, options: OpenOptions = {}): Promise<OpenedModel> {
  const json: Record<string, unknown> = { format: artifacts.format, modelTopology: artifacts.modelTopology };
  const topology = layersTopology(json, source);
  const specs = artifacts.weightSpecs ?? [];
  const quantized = quantizationNote(specs);
  return openCandidate(
    {
      source,
      format: 'tfjs-layers',
      topology,
      weights: specs,
      notes: quantized === undefined ? [] : [quantized],
      build: () => buildFromArtifacts(artifacts, source),
    },
    options,
  );
}

function finish(model: tf.LayersModel, candidate: Candidate): OpenedModel {
  const opened: OpenedModel = { model, source: candidate.source, format: candidate.format, notes: [...candidate.notes] };
  const metadata = candidate.metadata;
  if (metadata !== undefined) {
    const outputShape = model.outputs[0].shape;
    const classCount = outputShape[outputShape.length - 1] ?? null;
    const mismatch = teachableMismatch(metadata, model.inputs[0].shape, classCount, candidate.source);
    if (mismatch === undefined) opened.classNames = metadata.classNames;
    else opened.notes.push(mismatch);
  }
  return opened;
}

async function findCandidate(files: readonly InputFile[], options: OpenOptions): Promise<Candidate> {
  if (files.length === 0) throw new PeakPruneError('invalid-model', 'No files were chosen; choose model.json with its weight files, a folder, a .zip, or a Keras .h5 or .keras file.');
  const expanded: InputFile[] = [];
  const candidates: Candidate[] = [];
  for (const file of files) {
    if (!isZip(file.bytes)) {
      expanded.push(file);
      continue;
    }
    const entries = expandZip(file, options.zip);
    if (entries.some((entry) => baseName(entry.path) === 'config.json') && entries.some((entry) => baseName(entry.path) === 'model.weights.h5')) {
      candidates.push(kerasCandidate(await readKerasV3(entries, file.path), file.path, 'keras-v3'));
    } else if (/\.keras$/i.test(file.path)) {
      await readKerasV3(entries, file.path); // throws naming the missing part
    } else {
      expanded.push(...entries);
    }
  }
  for (const file of expanded.filter((item) => isHdf5(item.bytes))) {
    candidates.push(kerasCandidate(await readKerasH5(file), file.path, 'keras-h5'));
  }
  candidates.push(...jsonCandidates(expanded));
  if (candidates.length > 1) {
    throw new PeakPruneError('invalid-model', `The chosen files hold ${candidates.length} models (${candidates.map((c) => c.source).join(', ')}); choose one model at a time.`);
  }
  if (candidates.length === 0) throw noModel(files);
  return candidates[0];
}

function kerasCandidate(keras: KerasModel, source: string, format: ModelFormat): Candidate {
  return {
    source,
    format,
    topology: keras.topology,
    weights: kerasWeightShapes(keras),
    notes: keras.notes,
    build: () => buildKerasModel(keras, source),
  };
}

/**
 * Returns a candidate for each JSON file with a modelTopology. When no JSON file parses as a
 * model, the parse error of the most model-like file (model.json first) is thrown instead.
 */
function jsonCandidates(files: readonly InputFile[]): Candidate[] {
  const jsonFiles = files.filter((file) => !isMetadataFile(file) && (/\.json$/i.test(file.path) || startsLikeJsonObject(file.bytes.subarray(0, 64))));
  const candidates: Candidate[] = [];
  let firstError: unknown;
  for (const file of jsonFiles.sort((a, b) => rankJsonName(a) - rankJsonName(b))) {
    try {
      const json = parseJsonFile(file);
      // A weights manifest or the name model.json marks a model file whose topology is broken.
      if (!('modelTopology' in json) && !('weightsManifest' in json) && !/model\.json$/i.test(file.path)) continue;
      layersTopology(json, file.path);
      candidates.push(tfjsCandidate(json, file, files));
    } catch (error) {
      firstError ??= error;
    }
  }
  if (candidates.length === 0 && firstError !== undefined) throw firstError;
  return candidates;
}

function rankJsonName(file: InputFile): number {
  return /(^|\/)model\.json$/i.test(file.path) ? 0 : 1;
}

function tfjsCandidate(json: Record<string, unknown>, modelFile: InputFile, files: readonly InputFile[]): Candidate {
  const artifacts = tfjsArtifacts(json, modelFile, files);
  const specs = artifacts.weightSpecs ?? [];
  const notes: string[] = [];
  const quantized = quantizationNote(specs);
  if (quantized !== undefined) notes.push(quantized);
  const metadataFile = files.find((file) => isMetadataFile(file));
  let metadata: TeachableMetadata | undefined;
  try {
    if (metadataFile !== undefined) metadata = readTeachableMetadata(metadataFile);
  } catch (error) {
    // A metadata.json that is not Teachable Machine's should not block the model itself.
    notes.push(error instanceof Error ? error.message : String(error));
  }
  return {
    source: modelFile.path,
    format: metadata === undefined ? 'tfjs-layers' : 'teachable-machine',
    topology: artifacts.modelTopology as Record<string, unknown>,
    weights: specs,
    notes,
    metadata,
    build: () => buildFromArtifacts(artifacts, modelFile.path),
  };
}

async function buildFromArtifacts(artifacts: tf.io.ModelArtifacts, path: string): Promise<tf.LayersModel> {
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new PeakPruneError('invalid-model', `The model in ${path} could not be built: ${detail.replace(/\.$/, '')}. Fix that layer's config or save the model again.`);
  }
}

function noModel(files: readonly InputFile[]): PeakPruneError {
  const names = files.slice(0, 5).map((file) => file.path).join(', ');
  const more = files.length > 5 ? ` and ${files.length - 5} more` : '';
  return new PeakPruneError(
    'invalid-model',
    `None of the chosen files (${names}${more}) is a model; choose model.json with its weight files, a folder or .zip holding them, or a Keras .h5 or .keras file.`,
  );
}
