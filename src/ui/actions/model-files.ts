import { PeakPruneError } from '../../core/errors';
import type { ModelFileData } from '../../worker/model';
import type { ModelInfo } from '../../worker/types';
import { bridge } from '../bridge';
import { describeError } from '../messages';
import { MAX_PICKED_MODEL_BYTES, type PickedFile } from '../model-pick';
import { useStore } from '../store';
import { analyzeLoadedModel } from './analysis';
import { loadPickedImages, pickedImageFiles } from './images';
import { runJob } from './jobs';

/**
 * Opens a model from picked or dropped files (model.json and shards in any order, a folder, a
 * zip, a Teachable Machine export, a Keras .h5 or .keras file) and analyses it. The worker finds
 * the model among the files; errors appear beside the picker and the previous model stays loaded.
 */
export async function openModelFiles(files: readonly PickedFile[]): Promise<void> {
  useStore.getState().setModelFileError(undefined);
  let data: ModelFileData[];
  try {
    data = await readPicked(files);
  } catch (error) {
    useStore.getState().setModelFileError(describeError(error));
    return;
  }
  const label = files.length === 1 ? files[0].path : `${files.length} files`;
  await openWith(`Opening ${label}`, () => bridge.openModelFiles(data));
}

/** Opens the model.json at `url` (same origin, or a server that allows cross-origin reads). */
export async function openModelUrl(url: string): Promise<void> {
  useStore.getState().setModelFileError(undefined);
  const trimmed = url.trim();
  if (!/^(https?:\/\/|\/|\.)/i.test(trimmed)) {
    useStore.getState().setModelFileError(`"${trimmed}" is not a model URL; enter an http(s) URL or a path of a model.json on this site.`);
    return;
  }
  await openWith(`Opening ${trimmed}`, () => bridge.loadModel(new URL(trimmed, window.location.href).href));
}

/** Opens a model that tfjs saved in this browser's IndexedDB. */
export async function openStoredModel(name: string): Promise<void> {
  useStore.getState().setModelFileError(undefined);
  await openWith(`Opening indexeddb://${name}`, () => bridge.openStoredModel(name));
}

async function openWith(label: string, open: () => Promise<ModelInfo>): Promise<void> {
  const info = await runJob(label, open, {
    describeDone: (model) => `Opened ${model.source} (${model.layers.length} layers).`,
    onError: (message) => useStore.getState().setModelFileError(message),
  });
  if (info === undefined) return;
  useStore.getState().setModel(info);
  if (info.imagesDropped === undefined) {
    await analyzeLoadedModel();
    return;
  }
  // The worker unloaded images that do not fit this model. Picked files are prepared again for
  // it (loading them analyses the model); without any, the user is asked for matching images.
  useStore.getState().clearSamples('calibration');
  useStore.getState().clearSamples('evaluation');
  if (pickedImageFiles() === undefined) useStore.getState().setImageError(info.imagesDropped);
  else await loadPickedImages();
}

/** Reads the files into buffers for transfer, rejecting picks too large to keep in memory. */
async function readPicked(files: readonly PickedFile[]): Promise<ModelFileData[]> {
  const total = files.reduce((sum, picked) => sum + picked.file.size, 0);
  if (total > MAX_PICKED_MODEL_BYTES) {
    const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
    throw new PeakPruneError(
      'invalid-model',
      `The chosen files hold ${mib(total)}, more than the ${mib(MAX_PICKED_MODEL_BYTES)} a model may have here; choose only the model's files.`,
    );
  }
  const data: ModelFileData[] = [];
  for (const picked of files) data.push({ path: picked.path, bytes: await picked.file.arrayBuffer() });
  return data;
}
