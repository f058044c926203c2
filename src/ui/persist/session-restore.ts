// Restores a saved session after a reload: the model, the images with their settings, the
// analysis, the hand-picked centers and plan, and the last pruning result with its downloads.
import { throwIfCancelled } from '../../core/errors';
import { openImageInputs } from '../actions/images';
import { analyzeLoadedModel } from '../actions/analysis';
import { runJob } from '../actions/jobs';
import { applyClustering } from '../actions/plan-file';
import { ensureBackend, loadShippedImageSets, loadShippedModel } from '../actions/startup';
import { bridge } from '../bridge';
import { useStore } from '../store';
import { describeError } from '../messages';
import type { SavedResult, SavedSession } from './session-db';

/**
 * Result of a restore. 'failed' means the model could not be loaded, so the caller starts with
 * the shipped model. 'cancelled' means the user pressed Cancel, so nothing more loads.
 */
export type RestoreOutcome = 'restored' | 'failed' | 'cancelled';

/**
 * Restores `saved` step by step. A step after the model that fails shows its error and leaves
 * what the steps before it restored.
 */
export async function restoreSession(saved: SavedSession): Promise<RestoreOutcome> {
  const { settings, images, result } = saved;
  if (settings !== undefined) {
    useStore.getState().setPreprocessing(settings.preprocessing);
    useStore.getState().setSplit(settings.split);
  }
  let cancelled = false;
  const loaded = await runJob(
    'Restoring the saved session',
    ({ signal, onProgress }) => {
      signal.addEventListener('abort', () => (cancelled = true), { once: true });
      return restoreModel(saved, signal, onProgress);
    },
    {
      describeDone: () => 'Saved session restored.',
      describeCancelled: () => 'Cancelled: loading stopped after the step that was running, and what it loaded is kept. Load again or analyse with the buttons below.',
      onError: (message) => useStore.getState().showError(`The saved session could not be restored: ${message} Press New session to start over.`),
    },
  );
  if (cancelled) return 'cancelled';
  if (loaded !== true) return 'failed';

  const imagesRestored = images?.kind === 'files' && (await openImageInputs(images.files, images.source));
  if (!imagesRestored) {
    if (images?.kind === 'files') await runJob('Loading the shipped images', ({ onProgress, signal }) => loadShippedImageSets(onProgress, signal));
    await analyzeLoadedModel();
  }

  if (settings !== undefined && useStore.getState().layers.length > 0) {
    await applyClustering(settings.layerDpc);
    useStore.setState({ planOptions: settings.planOptions, overrides: settings.overrides });
    useStore.getState().replan();
  }
  if (result !== undefined) await restoreResult(result);
  return 'restored';
}

/**
 * Shows the saved result and its downloads, and installs the pruned model in the worker so that
 * fine-tuning works. When that fails, the result stays on screen and the banner shows the reason.
 */
async function restoreResult(saved: SavedResult): Promise<void> {
  useStore.getState().setResult(saved.result, saved.resultKey);
  const downloads = saved.downloads;
  if (downloads === undefined) return;
  useStore.getState().setDownloads(downloads);
  try {
    await bridge.restorePruned({
      modelJson: await downloads.modelJson.text(),
      weights: await downloads.weights.arrayBuffer(),
      weightsFileName: downloads.weightsFileName,
      report: await downloads.report.text(),
    });
  } catch (error) {
    useStore.getState().showError(`The saved pruned model could not be loaded again, so prune again before fine-tuning. ${describeError(error)}`);
  }
}

/** Loads the saved model, and the shipped images when the session used them. */
async function restoreModel(saved: SavedSession, signal: AbortSignal, onProgress: Parameters<typeof ensureBackend>[0]): Promise<boolean> {
  await ensureBackend(onProgress);
  throwIfCancelled(signal);
  onProgress({ phase: 'loading the saved model', done: 0.25 });
  const model = saved.model;
  if (model === undefined || model.kind === 'shipped') {
    await loadShippedModel();
  } else {
    const info = await bridge.loadModelFiles(model.modelJson, { [model.weightsFileName]: model.weights }, model.source);
    useStore.getState().setModel(info);
  }
  throwIfCancelled(signal);
  if (saved.images === undefined || saved.images.kind === 'shipped') await loadShippedImageSets(onProgress, signal);
  return true;
}
