// The user's own images: picking, loading with the current preprocessing and split, and the
// accuracy check of the unpruned model that shows whether the preprocessing fits.
import { PeakPruneError } from '../../core/errors';
import type { Preprocessing } from '../../core/images/preprocess';
import type { SplitSettings } from '../../core/images/split';
import { bridge } from '../bridge';
import { formatPercent } from '../format';
import { describeError } from '../messages';
import { loadPreprocessing, savePreprocessing } from '../persist/preprocess';
import { useStore } from '../store';
import type { ImageFileInput, ImageLoadSummary } from '../../worker/images';
import { analyzeLoadedModel } from './analysis';
import { runJob } from './jobs';

/** The files of the last pick, kept so that changed settings can be applied without picking again. */
let picked: { files: ImageFileInput[]; source: string } | undefined;

/** Returns the files of the last pick, for saving them with the session. */
export function pickedImageFiles(): { files: readonly ImageFileInput[]; source: string } | undefined {
  return picked;
}

/**
 * Loads picked files (a folder's files, a zip, a CSV with images, or single images) with the
 * current settings, then analyses the model on the new calibration images.
 */
export async function openImageFiles(files: readonly File[]): Promise<void> {
  const inputs = files.map((file) => ({ path: file.webkitRelativePath || file.name, file }));
  await openImageInputs(inputs, describePick(inputs));
}

/** Loads already named files; the session restore passes what it saved. */
export async function openImageInputs(files: ImageFileInput[], source: string): Promise<boolean> {
  picked = { files, source };
  return loadPickedImages();
}

/**
 * Loads the last picked files again with the current preprocessing and split. Resolves to true
 * when the images were installed; a failure leaves the previous images and shows the reason
 * beside the picker.
 */
export async function loadPickedImages(): Promise<boolean> {
  const store = useStore.getState();
  store.setImageError(undefined);
  if (picked === undefined) return false;
  if (store.model === undefined) {
    store.setImageError('No model is loaded yet; load a model before its images.');
    return false;
  }
  const request = { files: picked.files, source: picked.source, preprocessing: store.preprocessing, split: store.split };
  const summary = await runJob(`Loading images from ${picked.source}`, ({ signal, onProgress }) => bridge.loadImageFiles(request, signal, onProgress), {
    describeDone: describeLoaded,
    onError: (message) => useStore.getState().setImageError(message),
  });
  if (summary === undefined) return false;
  installSummary(summary);
  const model = useStore.getState().model;
  const storageProblem = model === undefined ? undefined : savePreprocessing(model, request.preprocessing);
  if (storageProblem !== undefined) useStore.getState().showError(storageProblem);
  await analyzeLoadedModel();
  return true;
}

function installSummary(summary: ImageLoadSummary): void {
  const store = useStore.getState();
  store.setSamples(summary.calibration);
  if (summary.evaluation === undefined) store.clearSamples('evaluation');
  else store.setSamples(summary.evaluation);
  store.setImageLoad(summary);
}

function describeLoaded(summary: ImageLoadSummary): string {
  const skipped = summary.skipped.length === 0 ? '' : `, ${summary.skipped.length} skipped`;
  return `Loaded ${summary.decoded} images from ${summary.source}${skipped}.`;
}

/** Names a pick for the header: the picked folder, the one file, or the number of files. */
export function describePick(files: readonly { path: string }[]): string {
  const folders = new Set(files.map((file) => (file.path.includes('/') ? file.path.slice(0, file.path.indexOf('/')) : '')));
  if (folders.size === 1 && !folders.has('')) return `${[...folders][0]}/`;
  if (files.length === 1) return files[0].path;
  return `${files.length} files`;
}

export function changePreprocessing(patch: Partial<Preprocessing>): void {
  const store = useStore.getState();
  store.setPreprocessing({ ...store.preprocessing, ...patch });
}

export function changeSplit(patch: Partial<SplitSettings>): void {
  const store = useStore.getState();
  store.setSplit({ ...store.split, ...patch });
}

/** Puts the settings remembered for the loaded model into the store; returns whether any were found. */
export function recallPreprocessing(): boolean {
  const model = useStore.getState().model;
  if (model === undefined) return false;
  const remembered = loadPreprocessing(model);
  if (remembered !== undefined) useStore.getState().setPreprocessing(remembered);
  return remembered !== undefined;
}

/** Measures the unpruned model's top-1 on the evaluation images, for the near-chance hint. */
export async function measureOriginalAccuracy(): Promise<void> {
  if (useStore.getState().samples.evaluation === undefined) {
    useStore.getState().showError(describeError(new PeakPruneError('invalid-images', 'No evaluation images are loaded, so accuracy cannot be measured; load labelled images.')));
    return;
  }
  const result = await runJob('Measuring the unpruned model', ({ signal, onProgress }) => bridge.evaluateOriginal(signal, onProgress), {
    describeDone: (value) => `The unpruned model scores top-1 ${formatPercent(value.top1)} on ${value.total} evaluation images.`,
  });
  if (result !== undefined) useStore.getState().setOriginalTop1(result);
}

/**
 * Returns a hint when top-1 is near chance for `classCount` classes, that is below
 * 1/k + 0.1 × (1 − 1/k) (19 % for 10 classes, 55 % for 2), and undefined otherwise.
 */
export function nearChanceHint(top1: number, classCount: number): string | undefined {
  if (!(classCount >= 2)) return undefined;
  const chance = 1 / classCount;
  if (top1 >= chance + 0.1 * (1 - chance)) return undefined;
  return (
    `The unpruned model scores ${formatPercent(top1)}, close to the ${formatPercent(chance)} of guessing among ${classCount} classes. ` +
    'The usual cause is preprocessing that differs from training: try another pixel scaling or resize mode, and check the class mapping.'
  );
}
