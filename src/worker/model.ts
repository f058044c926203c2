import * as tf from '@tensorflow/tfjs';

import { PeakPruneError } from '../core/errors';
import { openArtifacts, openModel, type GpuLimits, type InputFile, type OpenedModel } from '../core/load';
import { DEFAULT_GPU_BUDGET_BYTES } from '../core/load/gpu-budget';
import { modelMetrics } from '../core/metrics';
import { summarizeModel } from '../core/topology';
import type { SampleSet } from '../core/types';
import { restartBackend } from './backend';
import { fileNameOf } from './sprites';
import { state } from './state';
import type { ModelInfo, WireError } from './types';

/** A model file as the page sends it: its relative path and its bytes (transferred). */
export interface ModelFileData {
  path: string;
  bytes: ArrayBuffer;
}

/**
 * Opens a model from any supported files (model.json and shards, a zip, a Teachable Machine
 * export, a Keras .h5 or .keras file). On WebGL, models too large for the GPU are rejected first.
 */
export async function openModelFiles(files: readonly ModelFileData[]): Promise<{ model: tf.LayersModel; info: ModelInfo }> {
  const inputs: InputFile[] = files.map((file) => ({ path: file.path, bytes: new Uint8Array(file.bytes) }));
  return openRemembered(() => openModel(inputs, { gpu: gpuLimits() }));
}

type Opener = () => Promise<OpenedModel>;

/** Opener of each open model, kept so the model can be read again when the GPU loses its tensors. */
const openers = new WeakMap<tf.LayersModel, Opener>();

async function openRemembered(open: Opener): Promise<{ model: tf.LayersModel; info: ModelInfo }> {
  const loaded = describeOpened(await open());
  openers.set(loaded.model, open);
  return loaded;
}

/**
 * Restarts tfjs after the WebGL context was lost during `job` and reads the current model again
 * from the files it came from. Analysis results stay because they are plain arrays, but the
 * pruned model lived on the GPU and is dropped. Returns the error to report for the failed job.
 */
export async function recoverFromContextLoss(job: string): Promise<WireError> {
  const backend = await restartBackend();
  const lost = state.model;
  const open = lost === undefined ? undefined : openers.get(lost);
  state.pruned = undefined;
  let reloaded = 'no model was loaded';
  if (lost !== undefined && open !== undefined) {
    const { model } = await openRemembered(open);
    state.model = model;
    try {
      lost.dispose();
    } catch {
      // Its textures went with the lost context; only tfjs's bookkeeping is released here.
    }
    reloaded = 'the model was read again';
  }
  return {
    code: 'backend-failed',
    message: `The WebGL context was lost during ${job}; tfjs restarted on ${backend.backend} and ${reloaded}, and earlier analysis results are kept, but a pruned model must be pruned again. Run the job again.`,
  };
}

/** Loads a model from the text of model.json and its weight files, keyed by file name. */
export async function loadModelFromFiles(
  modelJson: string,
  shards: Readonly<Record<string, ArrayBuffer>>,
  fileName: string,
): Promise<{ model: tf.LayersModel; info: ModelInfo }> {
  const files: ModelFileData[] = [{ path: fileName, bytes: new TextEncoder().encode(modelJson).buffer as ArrayBuffer }];
  for (const [path, bytes] of Object.entries(shards)) files.push({ path, bytes });
  return openModelFiles(files);
}

/** Returns the GPU limits of the WebGL backend, or undefined on other backends. */
function gpuLimits(): GpuLimits | undefined {
  if (tf.getBackend() !== 'webgl') return undefined;
  return { maxTextureSize: tf.env().getNumber('WEBGL_MAX_TEXTURE_SIZE'), budgetBytes: DEFAULT_GPU_BUDGET_BYTES };
}

/**
 * Loads a model from the URL of its model.json: the shards its manifest names are fetched
 * relative to it, and a metadata.json beside it is read when the server has one. The URL must be
 * on this page's origin or be served with CORS headers that allow reading it.
 */
export async function loadModelFromUrl(url: string): Promise<{ model: tf.LayersModel; info: ModelInfo }> {
  const base = new URL(url, self.location.href);
  const modelName = fileNameOf(base.pathname) || 'model.json';
  const modelBytes = await fetchBytes(base, modelName);
  const files: InputFile[] = [{ path: modelName, bytes: modelBytes }];
  for (const path of manifestPaths(modelBytes)) {
    files.push({ path, bytes: await fetchBytes(new URL(path, base), path) });
  }
  const metadata = await fetchBytes(new URL('metadata.json', base), 'metadata.json').catch(() => undefined);
  if (metadata !== undefined) files.push({ path: 'metadata.json', bytes: metadata });
  return openRemembered(() => openModel(files, { gpu: gpuLimits() }));
}

async function fetchBytes(url: URL, name: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch (error) {
    throw new PeakPruneError(
      'invalid-model',
      `Could not fetch ${name} from ${url.origin} (${String(error)}); check the URL, and that the server allows cross-origin reads (Access-Control-Allow-Origin).`,
    );
  }
  if (!response.ok) {
    throw new PeakPruneError('invalid-model', `Could not fetch ${name}: ${url.href} returned HTTP ${response.status} ${response.statusText}; check the URL.`);
  }
  // Servers of single-page apps (Vite's among them) return index.html for a missing file.
  if ((response.headers.get('content-type') ?? '').includes('text/html')) {
    throw new PeakPruneError('invalid-model', `Could not fetch ${name}: ${url.href} returned a web page, so the file is probably missing; check the URL.`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** Returns the shard paths of a model.json, or none when it cannot be read that far (openModel then reports why). */
function manifestPaths(modelBytes: Uint8Array): string[] {
  try {
    const manifest = (JSON.parse(new TextDecoder().decode(modelBytes)) as { weightsManifest?: unknown }).weightsManifest;
    if (!Array.isArray(manifest)) return [];
    return manifest.flatMap((group: { paths?: unknown }) => (Array.isArray(group?.paths) ? group.paths.filter((p): p is string => typeof p === 'string') : []));
  } catch {
    return [];
  }
}

/** A model that tfjs saved in this origin's IndexedDB (`model.save('indexeddb://name')`). */
export interface StoredModel {
  /** The name after "indexeddb://". */
  name: string;
  /** ISO date of saving, when tfjs recorded it. */
  dateSaved?: string;
  weightBytes?: number;
}

/** Names of the IndexedDB database and stores that tfjs 4 uses for `indexeddb://` models. */
const TFJS_DATABASE = 'tensorflowjs';
const TFJS_INFO_STORE = 'model_info_store';
const TFJS_MODEL_STORE = 'models_store';

/**
 * Runs `read` on tfjs's IndexedDB database, or returns `absent` when there is none. The
 * database is read directly because tf.io.listModels and the indexeddb:// router depend on
 * registries that Vite's tree shaking drops. An absent database is never created, since that
 * would leave tfjs a database without its stores.
 */
async function withTfjsDatabase<T>(absent: T, read: (database: IDBDatabase) => Promise<T>): Promise<T> {
  const databases = await indexedDB.databases();
  if (!databases.some((database) => database.name === TFJS_DATABASE)) return absent;
  const database = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(TFJS_DATABASE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    return await read(database);
  } finally {
    database.close();
  }
}

function storeRequest<T>(database: IDBDatabase, store: string, query: (objects: IDBObjectStore) => IDBRequest): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const request = query(database.transaction(store, 'readonly').objectStore(store));
    request.onsuccess = () => resolve(request.result as T);
    request.onerror = () => reject(request.error);
  });
}

/** Lists the models tfjs saved in this origin's IndexedDB. */
export async function listStoredModels(): Promise<StoredModel[]> {
  return withTfjsDatabase<StoredModel[]>([], async (database) => {
    if (!database.objectStoreNames.contains(TFJS_INFO_STORE)) return [];
    const records = await storeRequest<unknown[]>(database, TFJS_INFO_STORE, (objects) => objects.getAll());
    return records.map(toStoredModel).filter((model): model is StoredModel => model !== undefined);
  });
}

function toStoredModel(record: unknown): StoredModel | undefined {
  const entry = record as { modelPath?: unknown; modelArtifactsInfo?: { dateSaved?: unknown; weightDataBytes?: unknown } };
  if (typeof entry.modelPath !== 'string') return undefined;
  const stored: StoredModel = { name: entry.modelPath };
  const info = entry.modelArtifactsInfo;
  if (info?.dateSaved !== undefined) stored.dateSaved = new Date(info.dateSaved as string).toISOString();
  if (typeof info?.weightDataBytes === 'number') stored.weightBytes = info.weightDataBytes;
  return stored;
}

/** Opens a model that tfjs saved in IndexedDB under `name`. */
export async function openStoredModel(name: string): Promise<{ model: tf.LayersModel; info: ModelInfo }> {
  const source = `indexeddb://${name}`;
  const record = await withTfjsDatabase<{ modelArtifacts?: tf.io.ModelArtifacts } | undefined>(undefined, async (database) =>
    database.objectStoreNames.contains(TFJS_MODEL_STORE) ? storeRequest(database, TFJS_MODEL_STORE, (objects) => objects.get(name)) : undefined,
  );
  if (record?.modelArtifacts === undefined) {
    throw new PeakPruneError('invalid-model', `${source} is not in this browser's IndexedDB; choose a model from the list.`);
  }
  const artifacts = record.modelArtifacts;
  return openRemembered(() => openArtifacts(artifacts, source, { gpu: gpuLimits() }));
}

/** Adds the model's summary to what opening found; disposes the model when it cannot be pruned. */
function describeOpened(opened: OpenedModel): { model: tf.LayersModel; info: ModelInfo } {
  const info = describeOrDispose(opened.model, opened.source);
  info.format = opened.format;
  info.notes = opened.notes;
  if (opened.classNames !== undefined) info.classNames = opened.classNames;
  return { model: opened.model, info };
}

/**
 * Describes a freshly loaded model and checks that it has a convolution layer to prune, so a
 * model the workbench cannot use never replaces the current one. Disposes it on failure.
 */
function describeOrDispose(model: tf.LayersModel, source: string): ModelInfo {
  try {
    const info = describeModel(model, source);
    if (!info.layers.some((layer) => layer.prunable)) {
      const conv = info.layers.find((layer) => layer.className === 'Conv2D');
      const reason =
        conv === undefined
          ? 'it has no convolution (Conv2D) layer, so there is nothing to prune'
          : `no convolution layer can be pruned (${conv.name}: ${conv.reason ?? 'not supported'})`;
      throw new PeakPruneError('no-prunable-layers', `${source} was not opened: ${reason}. The current model stays loaded.`);
    }
    return info;
  } catch (error) {
    model.dispose();
    if (error instanceof PeakPruneError) {
      throw new PeakPruneError(error.code, error.message.startsWith(source) ? error.message : `${source}: ${error.message}`);
    }
    throw error;
  }
}

export function describeModel(model: tf.LayersModel, source: string): ModelInfo {
  const outputShape = model.outputs[0].shape;
  return {
    name: model.name,
    source,
    inputShape: model.inputs[0].shape.slice(1),
    classCount: outputShape[outputShape.length - 1] ?? null,
    layers: summarizeModel(model),
    metrics: modelMetrics(model),
  };
}

/**
 * Rejects images whose shape differs from the model's input, or whose labels name more
 * classes than the model outputs, before any tensor is built from them.
 */
export function checkSamplesFit(info: ModelInfo, samples: SampleSet, kind: string): void {
  const expected = info.inputShape;
  const fits = expected.length === 3 && samples.shape.every((size, i) => expected[i] === null || expected[i] === size);
  if (!fits) {
    throw new PeakPruneError(
      'invalid-images',
      `The ${kind} images are ${samples.shape.join('×')} but model "${info.source}" expects ${expected.map((d) => d ?? 'any').join('×')}; load a model that takes ${samples.shape.join('×')} images.`,
    );
  }
  if (info.classCount !== null && samples.classNames.length > info.classCount) {
    throw new PeakPruneError(
      'invalid-images',
      `The ${kind} images have ${samples.classNames.length} classes but model "${info.source}" outputs ${info.classCount}; load a model with ${samples.classNames.length} outputs.`,
    );
  }
}
