import { bridge, startWorker } from '../bridge';
import type { JobContext } from './jobs';
import { runJob } from './jobs';
import { analyzeLoadedModel } from './analysis';
import { readSampleLimits, type SampleLimits } from '../params';
import { useStore } from '../store';
import type { SampleKind } from '../../worker/types';

/**
 * Opens the workbench: starts the worker, loads the shipped model and images, then analyses
 * the model with the default DPC options. Runs once, outside React.
 */
export async function startApp(): Promise<void> {
  startWorker(onWorkerCrash);
  exposeTestHooks();
  const base = new URL(import.meta.env.BASE_URL, window.location.href);
  const limits = readSampleLimits(window.location.search);
  await runJob('Loading the model and images', (context) => loadShipped(base, limits, context), {
    describeDone: () => 'Model and images loaded.',
  });
  // The analysis needs only the model and the calibration images, so a failure to load the
  // evaluation images (shown in the banner) does not stop it.
  const { model, samples } = useStore.getState();
  if (model !== undefined && samples.calibration !== undefined) await analyzeLoadedModel();
}

declare global {
  interface Window {
    /** Read-only probes for browser tests, e.g. `await window.peakprune.memory()` to check for leaked tensors. */
    peakprune?: { memory: typeof bridge.memory };
  }
}

function exposeTestHooks(): void {
  window.peakprune = { memory: bridge.memory };
}

/** Ends the running job, whose result will never arrive, and reports the crash in the banner. */
function onWorkerCrash(message: string): void {
  const store = useStore.getState();
  if (store.job !== undefined) store.finishJob(store.job.id, `${store.job.label} failed.`, 'failed');
  store.showError(`The worker stopped (${message}); reload the page.`);
}

/** Runs the named steps of the start. Each installs its result in the store as soon as it has it. */
async function loadShipped(base: URL, limits: SampleLimits, { onProgress }: JobContext): Promise<void> {
  onProgress({ phase: 'starting tfjs in the worker', done: 0 });
  useStore.getState().setBackend(await bridge.init());

  onProgress({ phase: 'loading the model', done: 0.25 });
  useStore.getState().setModel(await bridge.loadModel(new URL('model/model.json', base).href));

  await loadShippedSamples('calibration', base, limits.calibration, onProgress, 0.5);
  await loadShippedSamples('evaluation', base, limits.evaluation, onProgress, 0.75);
}

async function loadShippedSamples(kind: SampleKind, base: URL, limit: number | undefined, onProgress: JobContext['onProgress'], done: number): Promise<void> {
  onProgress({ phase: `decoding the ${kind} images`, done });
  const sprite = new URL(`samples/${kind}.png`, base).href;
  const meta = new URL(`samples/${kind}.json`, base).href;
  useStore.getState().setSamples(await bridge.loadSamples(kind, sprite, meta, limit));
}
