import { throwIfCancelled } from '../../core/errors';
import { bridge, startWorker } from '../bridge';
import type { JobContext } from './jobs';
import { runJob } from './jobs';
import { analyzeLoadedModel } from './analysis';
import { describeIgnoredLimits, readSampleLimits, type SampleLimits } from '../params';
import { useStore } from '../store';
import type { SampleKind } from '../../worker/types';
import { markShippedModel, flushSession, saveWholeSession, startSessionSync } from '../persist/session-sync';
import { readSession } from '../persist/session-db';
import { restoreSession } from '../persist/session-restore';

/** Label of the loading job; the status line and the reload button use it. */
export const LOAD_SHIPPED_LABEL = 'Loading the model and images';

/**
 * Opens the workbench: starts the worker, loads the shipped model and images, then analyses
 * the model with the default DPC options. Runs once, outside React.
 */
export async function startApp(): Promise<void> {
  startWorker(onWorkerCrash);
  exposeTestHooks();
  useStore.getState().setUrlNotice(describeIgnoredLimits(window.location.search));
  const saved = await readSession().catch((error: unknown) => {
    useStore.getState().showError(`The saved session could not be read (${String(error)}); starting with the shipped model.`);
    return undefined;
  });
  const outcome = saved === undefined ? 'failed' : await restoreSession(saved);
  const restored = outcome === 'restored';
  if (outcome === 'failed') await loadShippedAndAnalyze();
  startSessionSync();
  // Only a fresh start writes everything at once: a restore is already saved, and a cancelled
  // restore must not overwrite the saved session with the part it loaded.
  if (restored) useStore.getState().setSessionNote('Session restored from this browser; changes are saved as you go.');
  else if (outcome === 'failed') saveWholeSession();
}

/**
 * Loads the shipped model and images, then analyses the model unless the user cancelled.
 * Cancel takes effect between steps: a step already sent to the worker (for example decoding
 * a sprite) finishes first, and what it loaded stays installed.
 */
export async function loadShippedAndAnalyze(): Promise<void> {
  const base = new URL(import.meta.env.BASE_URL, window.location.href);
  const limits = readSampleLimits(window.location.search);
  let cancelled = false;
  await runJob(
    LOAD_SHIPPED_LABEL,
    async (context) => {
      context.signal.addEventListener('abort', () => (cancelled = true), { once: true });
      await loadShipped(base, limits, context);
    },
    {
      describeDone: () => 'Model and images loaded.',
      describeCancelled: () => 'Cancelled: loading stopped after the step that was running, and what it loaded is kept. Load again or analyse with the buttons below.',
    },
  );
  if (cancelled) return;
  // The analysis needs only the model and the calibration images, so a failure to load the
  // evaluation images (shown in the banner) does not stop it.
  const { model, samples } = useStore.getState();
  if (model !== undefined && samples.calibration !== undefined) await analyzeLoadedModel();
}

declare global {
  interface Window {
    /** Read-only probes for browser tests, e.g. `await window.peakprune.memory()` to check for leaked tensors. */
    peakprune?: { memory: typeof bridge.memory; flushSession: typeof flushSession };
  }
}

function exposeTestHooks(): void {
  window.peakprune = { memory: bridge.memory, flushSession };
}

/** Ends the running job, whose result will never arrive, and reports the crash in the banner. */
function onWorkerCrash(message: string): void {
  const store = useStore.getState();
  if (store.job !== undefined) store.finishJob(store.job.id, `${store.job.label} failed.`, 'failed');
  store.showError(`The worker stopped (${message}); reload the page.`);
}

/**
 * Runs the named steps of the start. Each installs its result in the store as soon as it has
 * it, and the signal is checked before each step because the worker calls here take no signal.
 */
async function loadShipped(base: URL, limits: SampleLimits, { signal, onProgress }: JobContext): Promise<void> {
  await ensureBackend(onProgress);

  throwIfCancelled(signal);
  onProgress({ phase: 'loading the model', done: 0.25 });
  const model = await bridge.loadModel(new URL('model/model.json', base).href);
  markShippedModel(model);
  useStore.getState().setModel(model);

  throwIfCancelled(signal);
  await loadShippedSamples('calibration', base, limits.calibration, onProgress, 0.5);
  throwIfCancelled(signal);
  await loadShippedSamples('evaluation', base, limits.evaluation, onProgress, 0.75);
  throwIfCancelled(signal);
}

/** Starts tfjs in the worker unless it already runs; its init runs once per page. */
export async function ensureBackend(onProgress: JobContext['onProgress']): Promise<void> {
  if (useStore.getState().backend !== undefined) return;
  onProgress({ phase: 'starting tfjs in the worker', done: 0 });
  useStore.getState().setBackend(await bridge.init());
}

/** Loads both shipped sprites with the sample limits of the page's address. */
export async function loadShippedImageSets(onProgress: JobContext['onProgress'], signal?: AbortSignal): Promise<void> {
  const base = new URL(import.meta.env.BASE_URL, window.location.href);
  const limits = readSampleLimits(window.location.search);
  await loadShippedSamples('calibration', base, limits.calibration, onProgress, 0.5);
  if (signal !== undefined) throwIfCancelled(signal);
  await loadShippedSamples('evaluation', base, limits.evaluation, onProgress, 0.75);
}

/** Loads the shipped model and records it as shipped for the saved session. */
export async function loadShippedModel(): Promise<void> {
  const base = new URL(import.meta.env.BASE_URL, window.location.href);
  const model = await bridge.loadModel(new URL('model/model.json', base).href);
  markShippedModel(model);
  useStore.getState().setModel(model);
}

async function loadShippedSamples(kind: SampleKind, base: URL, limit: number | undefined, onProgress: JobContext['onProgress'], done: number): Promise<void> {
  onProgress({ phase: `decoding the ${kind} images`, done });
  const sprite = new URL(`samples/${kind}.png`, base).href;
  const meta = new URL(`samples/${kind}.json`, base).href;
  useStore.getState().setSamples(await bridge.loadSamples(kind, sprite, meta, limit));
}
