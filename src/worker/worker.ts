// The PeakPrune worker: owns tfjs, the loaded model, the images and every tensor, and exposes
// one API through Comlink. The page's type for it is `Comlink.Remote<PeakPruneWorker>`.
//
// Every method resolves to an Outcome instead of throwing, so an error's code reaches the page.
// Long methods take a MessagePort that aborts the job (see cancel.ts) and a Comlink-proxied
// progress callback, which is released when the job settles.
import * as Comlink from 'comlink';
import { strToU8, zipSync } from 'fflate';
import * as tf from '@tensorflow/tfjs';

import { analyzeModel, clusterLayer, type LayerGeometry } from '../core/analyze';
import type { FineTuneReport, FineTuneSettings } from '../core/finetune';
import { PeakPruneError } from '../core/errors';
import type { FilterOverrides } from '../core/plan';
import { saveToArtifacts, artifactsToFiles } from '../core/model-io';
import type { SweepRow } from '../core/sweep';
import type { DpcOptions, DpcResult, EvaluationResult, JobOptions, LayerAnalysis, PlanOptions, ProgressCallback, SampleSet } from '../core/types';
import { contextWasLost, initBackend, loseContextForTest, untilContextLoss } from './backend';
import { signalFromPort } from './cancel';
import { transferCopy } from './transfer';
import { logCall } from './log';
import { checkSamplesFit, listStoredModels, loadModelFromFiles, loadModelFromUrl, openModelFiles, openStoredModel, recoverFromContextLoss, type ModelFileData, type StoredModel } from './model';
import { scaleProgress, throttleProgress } from './progress';
import { originalTop1, pruneModel } from './prune';
import { fineTunePrunedModel, type FineTuneMetrics } from './finetune';
import { fileNameOf, loadSprite } from './sprites';
import { loadImageFiles, type ImageLoadRequest, type ImageLoadSummary } from './images';
import { exportOriginalModel, restorePrunedModel, type OriginalModelFiles, type PrunedModelFiles } from './session';
import { sweepModel, type SweepSummary, type WorkerSweepSettings } from './sweep';
import { sensitivityOfModel, type SensitivityEvent, type SensitivitySummary, type WorkerSensitivitySettings } from './sensitivity';
import { activationMaps, embedLayer, type ActivationMaps, type LayerEmbedding } from './teaching';
import { clearSamples, replaceModel, replaceSamples, requireAnalysis, requireModel, requireSamples, state } from './state';
import type { BackendInfo, ExportedModel, ModelInfo, Outcome, PruneOutcome, SampleKind, SamplesInfo, WireError } from './types';

/** Images per inference batch when measuring APoZ. */
const ANALYSIS_BATCH_SIZE = 64;

/**
 * A progress callback as the page passes it, wrapped in Comlink.proxy. In the worker it
 * arrives as a Comlink.Remote whose calls post messages and return promises.
 */
type RemoteProgress = ProgressCallback;

const api = {
  /** Starts tfjs on WebGL, or on cpu with the reason WebGL failed. Call once, first. */
  init(): Promise<Outcome<BackendInfo>> {
    return settle('init', initBackend);
  },

  /** Loads a model from an absolute URL of its model.json, replacing the current one. */
  loadModel(url: string): Promise<Outcome<ModelInfo>> {
    return settle('loadModel', async () => installModel(await loadModelFromUrl(url)));
  },

  /**
   * Loads a model from the text of a model.json and its weight files keyed by file name.
   * The current model stays when this fails, or when the loaded images do not fit the new model.
   */
  loadModelFiles(modelJson: string, shards: Record<string, ArrayBuffer>, fileName: string): Promise<Outcome<ModelInfo>> {
    return settle('loadModelFiles', async () => installModel(await loadModelFromFiles(modelJson, shards, fileName)));
  },

  /**
   * Opens a model from the files the user picked, dropped or zipped, in any order (see
   * src/core/load). The current model stays when this fails.
   */
  openModelFiles(files: ModelFileData[]): Promise<Outcome<ModelInfo>> {
    return settle('openModelFiles', async () => installModel(await openModelFiles(files)));
  },

  /** Lists the models tfjs saved in this origin's IndexedDB. */
  listStoredModels(): Promise<Outcome<StoredModel[]>> {
    return settle('listStoredModels', listStoredModels);
  },

  /** Loses the WebGL context on purpose (tests only); returns false off WebGL. */
  loseWebglContext(): boolean {
    return loseContextForTest();
  },

  /** Opens a model from IndexedDB by the name it was saved under. */
  openStoredModel(name: string): Promise<Outcome<ModelInfo>> {
    return settle('openStoredModel', async () => installModel(await openStoredModel(name)));
  },

  /** Decodes a sprite of labelled images and keeps its first `limit` images. */
  loadSamples(kind: SampleKind, spriteUrl: string, metaUrl: string, limit?: number): Promise<Outcome<SamplesInfo>> {
    return settle('loadSamples', async () => {
      const samples = await loadSprite(spriteUrl, metaUrl, limit);
      replaceSamples(kind, samples);
      return { kind, source: fileNameOf(spriteUrl), count: samples.labels.length, classNames: samples.classNames, shape: samples.shape };
    });
  },

  /** Decodes the user's images in this worker, splits them and installs calibration and evaluation sets. */
  loadImageFiles(request: ImageLoadRequest, cancel: MessagePort, onProgress: RemoteProgress): Promise<Outcome<ImageLoadSummary>> {
    return settle('loadImageFiles', () => withJob(cancel, onProgress, (job) => loadImageFiles(request, job)));
  },

  /** Exports the loaded, unpruned model's files so the page can save them with the session. */
  async exportOriginal(): Promise<Outcome<OriginalModelFiles>> {
    const outcome = await settle('exportOriginal', exportOriginalModel);
    return outcome.ok ? Comlink.transfer(outcome, [outcome.value.weights]) : outcome;
  },

  /** Installs a pruned model saved with the session as the last pruning result. */
  restorePruned(files: PrunedModelFiles): Promise<Outcome<void>> {
    return settle('restorePruned', () => restorePrunedModel(files));
  },

  /** Clusters and scores every prunable layer on the calibration images. */
  async analyze(dpc: DpcOptions, cancel: MessagePort, onProgress: RemoteProgress): Promise<Outcome<LayerAnalysis[]>> {
    const outcome = await settle('analyze', () => withJob(cancel, onProgress, (job) => analyze(dpc, job)));
    return outcome.ok ? transferCopy(outcome) : outcome;
  },

  /** Reclusters one analysed layer from its cached distances (new centers, percentile or kernel). */
  recluster(layerName: string, dpc: DpcOptions): Promise<Outcome<DpcResult>> {
    return settle('recluster', async () => recluster(layerName, dpc));
  },

  /** Top-1 of the loaded model on the evaluation images, measured once and cached. */
  evaluateOriginal(cancel: MessagePort, onProgress: RemoteProgress): Promise<Outcome<EvaluationResult>> {
    return settle('evaluateOriginal', () => withJob(cancel, onProgress, originalTop1));
  },

  /** Rebuilds a smaller model from the plan and measures it; keeps it for exportPruned. */
  prune(
    options: PlanOptions,
    overrides: Record<string, FilterOverrides>,
    cancel: MessagePort,
    onProgress: RemoteProgress,
  ): Promise<Outcome<PruneOutcome>> {
    return settle('prune', () => withJob(cancel, onProgress, (job) => pruneModel(options, overrides, job)));
  },

  /**
   * Fine-tunes the last pruned model on the calibration images and measures it on the
   * evaluation images. `onMetrics` (Comlink-proxied) receives every batch's loss and every
   * epoch's figures. A failure or Cancel restores the pruned weights from before the call.
   */
  fineTunePruned(
    settings: FineTuneSettings,
    cancel: MessagePort,
    onProgress: RemoteProgress,
    onMetrics: (metrics: FineTuneMetrics) => void,
  ): Promise<Outcome<FineTuneReport>> {
    const remote = onMetrics as unknown as Comlink.Remote<(metrics: FineTuneMetrics) => void>;
    const send = (metrics: FineTuneMetrics) => {
      remote(metrics).catch(() => undefined); // the page may have moved on; metrics are best effort
    };
    return settle('fineTunePruned', () => withJob(cancel, onProgress, (job) => fineTunePrunedModel(settings, job, send))).finally(() =>
      remote[Comlink.releaseProxy](),
    );
  },

  /**
   * Prunes the loaded model with every method, seed (random only) and ratio, measuring each
   * pruned model on the evaluation images and disposing it. `onRow` (Comlink-proxied) receives
   * each row as it is measured, so rows sent before a Cancel stay with the page.
   */
  sweep(settings: WorkerSweepSettings, cancel: MessagePort, onProgress: RemoteProgress, onRow: (row: SweepRow) => void): Promise<Outcome<SweepSummary>> {
    const remote = onRow as unknown as Comlink.Remote<(row: SweepRow) => void>;
    // Awaiting the page's receipt keeps every row ahead of the final result, which travels on
    // another message channel.
    const send = (row: SweepRow) => remote(row).catch(() => undefined);
    return settle('sweep', () => withJob(cancel, onProgress, (job) => sweepModel(settings, job, send))).finally(() => remote[Comlink.releaseProxy]());
  },

  /**
   * Prunes each analysed layer alone at each ratio and measures top-1 on the evaluation images.
   * `onEvent` (Comlink-proxied) receives the unpruned top-1 first, then each row as it is
   * measured, so rows sent before a Cancel stay with the page.
   */
  sensitivity(
    settings: WorkerSensitivitySettings,
    cancel: MessagePort,
    onProgress: RemoteProgress,
    onEvent: (event: SensitivityEvent) => void,
  ): Promise<Outcome<SensitivitySummary>> {
    const remote = onEvent as unknown as Comlink.Remote<(event: SensitivityEvent) => void>;
    const send = (event: SensitivityEvent) => remote(event).catch(() => undefined);
    return settle('sensitivity', () => withJob(cancel, onProgress, (job) => sensitivityOfModel(settings, job, send))).finally(() =>
      remote[Comlink.releaseProxy](),
    );
  },

  /** Exports the last pruned model as model.json text and one weights file, plus report.json's text. */
  async exportPruned(): Promise<Outcome<ExportedModel>> {
    const outcome = await settle('exportPruned', exportPruned);
    return outcome;
  },

  /** Places an analysed layer's filters in 2-D by classical MDS of their distance matrix. */
  embedLayer(layerName: string): Promise<Outcome<LayerEmbedding>> {
    return settle('embedLayer', async () => embedLayer(layerName));
  },

  /** Returns every filter's activation map for one image of a loaded set, taken where APoZ is measured. */
  activationMaps(layerName: string, imageIndex: number, kind: SampleKind): Promise<Outcome<ActivationMaps>> {
    return settle('activationMaps', () => activationMaps(layerName, imageIndex, kind));
  },

  /**
   * Returns tfjs's tensor count and bytes, for leak checks in tests and benchmarks. On WebGL it
   * adds the bytes of live textures and of all textures allocated. tfjs keeps released textures
   * for reuse, so the second figure is the high-water mark of GPU memory since the backend started.
   */
  memory(): { numTensors: number; numBytes: number; numBytesInGPU?: number; numBytesInGPUAllocated?: number } {
    const info = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number; numBytesInGPUAllocated?: number };
    const { numTensors, numBytes, numBytesInGPU, numBytesInGPUAllocated } = info;
    return { numTensors, numBytes, numBytesInGPU, numBytesInGPUAllocated };
  },
};

export type PeakPruneWorker = typeof api;

Comlink.expose(api);

/** Runs one API call, turning its result or error into an Outcome and logging its duration. */
async function settle<T>(name: string, work: () => Promise<T>): Promise<Outcome<T>> {
  const startedAt = performance.now();
  try {
    const value = await untilContextLoss(work());
    // Kernels on a lost WebGL context can return zeros instead of failing, so such a result is discarded.
    if (contextWasLost()) throw new PeakPruneError('backend-failed', 'The WebGL context was lost.');
    logCall(name, startedAt);
    return { ok: true, value };
  } catch (thrown) {
    const error = contextWasLost() ? await recoverFromContextLoss(name) : toWireError(thrown);
    logCall(name, startedAt, error);
    return { ok: false, error };
  }
}

function toWireError(thrown: unknown): WireError {
  if (thrown instanceof PeakPruneError) return { code: thrown.code, message: thrown.message };
  return { code: 'internal', message: thrown instanceof Error ? thrown.message : String(thrown) };
}

/** Gives a long job its abort signal and throttled progress, and cleans both up afterwards. */
async function withJob<T>(cancel: MessagePort, onProgress: RemoteProgress, work: (job: JobOptions) => Promise<T>): Promise<T> {
  const { signal, close } = signalFromPort(cancel);
  const remote = onProgress as unknown as Comlink.Remote<ProgressCallback>;
  const send = throttleProgress((progress) => {
    remote(progress).catch(() => undefined); // the page may have moved on; progress is best effort
  });
  try {
    return await work({ signal, onProgress: send });
  } finally {
    close();
    remote[Comlink.releaseProxy]();
  }
}

/**
 * Installs a loaded model. Images that do not fit it (another size, channel count or more
 * classes than it outputs) are unloaded instead of rejecting a valid model. The returned info
 * then carries the reason, so the page can load matching images.
 */
function installModel(loaded: { model: tf.LayersModel; info: ModelInfo }): ModelInfo {
  let misfit: SampleSet | undefined;
  for (const kind of ['calibration', 'evaluation'] as const) {
    const samples = state.samples[kind];
    if (samples === undefined) continue;
    try {
      checkSamplesFit(loaded.info, samples, kind);
    } catch {
      misfit ??= samples;
      clearSamples(kind);
    }
  }
  const info: ModelInfo = misfit === undefined ? loaded.info : { ...loaded.info, imagesDropped: describeMisfit(misfit, loaded.info) };
  replaceModel(loaded.model, info);
  return info;
}

function describeMisfit(samples: SampleSet, info: ModelInfo): string {
  const expected = info.inputShape.map((d) => d ?? 'any').join('×');
  const classes = info.classCount === null ? '' : ` with ${info.classCount} outputs`;
  return (
    `The images loaded before (${samples.shape.join('×')}, ${samples.classNames.length} classes) do not fit ${info.source}, ` +
    `which takes ${expected} images${classes}, so they were unloaded; choose images for it under "Your own images".`
  );
}

async function analyze(dpc: DpcOptions, job: JobOptions): Promise<LayerAnalysis[]> {
  const { model, info } = requireModel();
  const calibration = requireSamples('calibration');
  checkSamplesFit(info, calibration, 'calibration');
  const onProgress = job.onProgress;
  const progress: ProgressCallback | undefined =
    onProgress &&
    ((p) =>
      p.phase === 'distances'
        ? scaleProgress(onProgress, 0, 0.1, 'computing filter distances')(p)
        : scaleProgress(onProgress, 0.1, 1, 'measuring APoZ on the calibration images')(p));

  const result = await analyzeModel(model, calibration, { dpc, batchSize: ANALYSIS_BATCH_SIZE }, { signal: job.signal, onProgress: progress });
  const geometry = new Map<string, LayerGeometry>(result.geometry.map((g) => [g.name, g]));
  state.analysis = { layers: result.layers, geometry, dpc, calibrationImages: calibration.labels.length };
  return result.layers;
}

function recluster(layerName: string, dpc: DpcOptions): DpcResult {
  const analysis = requireAnalysis();
  const geometry = analysis.geometry.get(layerName);
  if (geometry === undefined) {
    throw new PeakPruneError('invalid-options', `Layer "${layerName}" was not analysed, so it cannot be reclustered; choose an analysed layer.`);
  }
  const result = clusterLayer(geometry, dpc);
  analysis.layers = analysis.layers.map((layer) => (layer.name === layerName ? { ...layer, dpc: result } : layer));
  return result;
}

async function exportPruned(): Promise<ExportedModel> {
  const pruned = state.pruned;
  if (pruned === undefined) {
    throw new PeakPruneError('invalid-options', 'No pruned model exists yet; press Prune first.');
  }
  const files = artifactsToFiles(await saveToArtifacts(pruned.model), 'model');
  const weights = files.weights as Uint8Array<ArrayBuffer>;
  // Level 1: float32 weights barely compress, and higher levels cost seconds on a large model.
  const zip = zipSync({ 'model.json': strToU8(files.modelJson), [files.weightsFileName]: [weights, { level: 1 }] }) as Uint8Array<ArrayBuffer>;
  return {
    modelJson: files.modelJson,
    weights: new Blob([weights], { type: 'application/octet-stream' }),
    weightsFileName: files.weightsFileName,
    report: JSON.stringify(pruned.report, null, 2),
    zip: new Blob([zip], { type: 'application/zip' }),
  };
}
