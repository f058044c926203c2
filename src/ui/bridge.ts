// The page's side of the worker. Each function takes plain values (and an AbortSignal for long
// jobs), resolves to the worker's value, and rejects with a PeakPruneError carrying the
// worker's error code. The worker's API type comes from the worker module itself.
import * as Comlink from 'comlink';

import { PeakPruneError } from '../core/errors';
import type { FineTuneSettings } from '../core/finetune';
import type { FilterOverrides } from '../core/plan';
import type { SweepRow } from '../core/sweep';
import type { DpcOptions, PlanOptions, ProgressCallback } from '../core/types';
import { portFromSignal } from '../worker/cancel';
import type { FineTuneMetrics } from '../worker/finetune';
import type { ModelFileData } from '../worker/model';
import type { ImageLoadRequest } from '../worker/images';
import type { PrunedModelFiles } from '../worker/session';
import type { WorkerSweepSettings } from '../worker/sweep';
import type { SensitivityEvent, WorkerSensitivitySettings } from '../worker/sensitivity';
import type { Outcome, SampleKind } from '../worker/types';
import type { PeakPruneWorker } from '../worker/worker';

let remote: Comlink.Remote<PeakPruneWorker> | undefined;

/**
 * Starts the module worker. `onCrash` runs when the worker script fails to load or throws
 * outside a call, which leaves pending calls unanswered.
 */
export function startWorker(onCrash: (message: string) => void): void {
  if (remote !== undefined) return;
  const worker = new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module', name: 'peakprune' });
  worker.addEventListener('error', (event) => onCrash(event.message || 'the worker script failed to load'));
  worker.addEventListener('messageerror', () => onCrash('a message from the worker could not be read'));
  remote = Comlink.wrap<PeakPruneWorker>(worker);
}

function api(): Comlink.Remote<PeakPruneWorker> {
  if (remote === undefined) throw new PeakPruneError('internal', 'The worker has not been started.');
  return remote;
}

async function unwrap<T>(pending: Promise<Outcome<T>>): Promise<T> {
  const outcome = await pending;
  if (outcome.ok) return outcome.value;
  throw new PeakPruneError(outcome.error.code, outcome.error.message);
}

/** Runs a cancellable call: transfers an abort port and proxies the progress callback. */
async function job<T>(
  signal: AbortSignal,
  onProgress: ProgressCallback,
  call: (cancel: MessagePort, progress: ProgressCallback) => Promise<Outcome<T>>,
): Promise<T> {
  const { port, close } = portFromSignal(signal);
  try {
    return await unwrap(call(Comlink.transfer(port, [port]), Comlink.proxy(onProgress)));
  } finally {
    close();
  }
}

export const bridge = {
  init: () => unwrap(api().init()),

  loadModel: (url: string) => unwrap(api().loadModel(url)),

  /** Sends a picked model.json's text and its weight files; the buffers are transferred. */
  loadModelFiles: (modelJson: string, shards: Record<string, ArrayBuffer>, fileName: string) =>
    unwrap(api().loadModelFiles(modelJson, Comlink.transfer(shards, Object.values(shards)), fileName)),

  /** Sends model files of any supported format; their buffers are transferred. */
  openModelFiles: (files: ModelFileData[]) => unwrap(api().openModelFiles(Comlink.transfer(files, files.map((file) => file.bytes)))),

  listStoredModels: () => unwrap(api().listStoredModels()),

  openStoredModel: (name: string) => unwrap(api().openStoredModel(name)),

  /** Loses the worker's WebGL context on purpose, for tests of the recovery; false off WebGL. */
  loseWebglContext: () => api().loseWebglContext(),

  loadSamples: (kind: SampleKind, spriteUrl: string, metaUrl: string, limit?: number) =>
    unwrap(api().loadSamples(kind, spriteUrl, metaUrl, limit)),

  loadImageFiles: (request: ImageLoadRequest, signal: AbortSignal, onProgress: ProgressCallback) =>
    job(signal, onProgress, (cancel, progress) => api().loadImageFiles(request, cancel, progress)),

  exportOriginal: () => unwrap(api().exportOriginal()),

  /** Sends a saved pruned model's files; the weights buffer is transferred. */
  restorePruned: (files: PrunedModelFiles) => unwrap(api().restorePruned(Comlink.transfer(files, [files.weights]))),

  analyze: (dpc: DpcOptions, signal: AbortSignal, onProgress: ProgressCallback) =>
    job(signal, onProgress, (cancel, progress) => api().analyze(dpc, cancel, progress)),

  recluster: (layerName: string, dpc: DpcOptions) => unwrap(api().recluster(layerName, dpc)),

  evaluateOriginal: (signal: AbortSignal, onProgress: ProgressCallback) =>
    job(signal, onProgress, (cancel, progress) => api().evaluateOriginal(cancel, progress)),

  prune: (options: PlanOptions, overrides: Record<string, FilterOverrides>, signal: AbortSignal, onProgress: ProgressCallback) =>
    job(signal, onProgress, (cancel, progress) => api().prune(options, overrides, cancel, progress)),

  exportPruned: () => unwrap(api().exportPruned()),

  fineTunePruned: (settings: FineTuneSettings, signal: AbortSignal, onProgress: ProgressCallback, onMetrics: (metrics: FineTuneMetrics) => void) =>
    job(signal, onProgress, (cancel, progress) => api().fineTunePruned(settings, cancel, progress, Comlink.proxy(onMetrics))),

  /** Runs a method comparison; `onRow` receives each measured row before the next run starts. */
  sweep: (settings: WorkerSweepSettings, signal: AbortSignal, onProgress: ProgressCallback, onRow: (row: SweepRow) => void) =>
    job(signal, onProgress, (cancel, progress) => api().sweep(settings, cancel, progress, Comlink.proxy(onRow))),

  /** Runs a per-layer sensitivity analysis; `onEvent` receives the unpruned top-1, then each row. */
  sensitivity: (settings: WorkerSensitivitySettings, signal: AbortSignal, onProgress: ProgressCallback, onEvent: (event: SensitivityEvent) => void) =>
    job(signal, onProgress, (cancel, progress) => api().sensitivity(settings, cancel, progress, Comlink.proxy(onEvent))),

  embedLayer: (layerName: string) => unwrap(api().embedLayer(layerName)),

  activationMaps: (layerName: string, imageIndex: number, kind: SampleKind) => unwrap(api().activationMaps(layerName, imageIndex, kind)),

  memory: () => api().memory(),
};
