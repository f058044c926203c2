import { PeakPruneError } from '../../core/errors';
import { bridge } from '../bridge';
import { describeError } from '../messages';
import { useStore } from '../store';
import { analyzeLoadedModel } from './analysis';
import { runJob } from './jobs';

interface PickedModel {
  fileName: string;
  modelJson: string;
  shards: Record<string, ArrayBuffer>;
}

/**
 * Opens a model the user picked (model.json and its .bin files together) and analyses it.
 * Errors appear beside the file input; the previous model stays loaded when opening fails.
 */
export async function openModelFiles(files: readonly File[]): Promise<void> {
  const store = useStore.getState();
  store.setModelFileError(undefined);
  let picked: PickedModel;
  try {
    picked = await readPickedFiles(files);
  } catch (error) {
    store.setModelFileError(describeError(error));
    return;
  }
  const info = await runJob(`Opening ${picked.fileName}`, () => bridge.loadModelFiles(picked.modelJson, picked.shards, picked.fileName), {
    describeDone: (model) => `Opened ${model.source} (${model.layers.length} layers).`,
    onError: (message) => useStore.getState().setModelFileError(message),
  });
  if (info === undefined) return;
  useStore.getState().setModel(info);
  await analyzeLoadedModel();
}

/** Splits the picked files into the one model.json and its weight files, read into memory. */
async function readPickedFiles(files: readonly File[]): Promise<PickedModel> {
  const jsonFiles = files.filter((file) => file.name.toLowerCase().endsWith('.json'));
  const names = files.map((file) => file.name).join(', ');
  if (jsonFiles.length === 0) {
    throw new PeakPruneError('invalid-model', `None of the chosen files (${names || 'none'}) is a model.json; choose the model.json together with its .bin weight files.`);
  }
  if (jsonFiles.length > 1) {
    throw new PeakPruneError('invalid-model', `Choose one model.json at a time, together with its .bin weight files; you chose ${jsonFiles.map((f) => f.name).join(', ')}.`);
  }
  const [jsonFile] = jsonFiles;
  const shards: Record<string, ArrayBuffer> = {};
  for (const file of files) {
    if (file !== jsonFile) shards[file.name] = await file.arrayBuffer();
  }
  return { fileName: jsonFile.name, modelJson: await jsonFile.text(), shards };
}
