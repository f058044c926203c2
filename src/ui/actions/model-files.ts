import { PeakPruneError } from '../../core/errors';
import { bridge } from '../bridge';
import { describeError } from '../messages';
import { manifestShardNames, matchShards, MAX_MODEL_JSON_BYTES, parseModelJson, startsLikeJsonObject } from '../model-pick';
import { useStore } from '../store';
import { analyzeLoadedModel } from './analysis';
import { runJob } from './jobs';

interface PickedModel {
  fileName: string;
  modelJson: string;
  shards: Record<string, ArrayBuffer>;
}

/**
 * Opens a model the user picked (model.json and its weight files together) and analyses it.
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

/**
 * Finds the one model.json among the picked files by its content and reads the weight files
 * its manifest names. Other picked files are ignored.
 */
async function readPickedFiles(files: readonly File[]): Promise<PickedModel> {
  const names = files.map((file) => file.name).join(', ');
  const models: { file: File; text: string; json: Record<string, unknown> }[] = [];
  for (const file of files) {
    if (file.size > MAX_MODEL_JSON_BYTES || !startsLikeJsonObject(await file.slice(0, 64).text())) continue;
    const text = await file.text();
    const json = parseModelJson(text);
    if (json !== undefined) models.push({ file, text, json });
  }
  if (models.length === 0) {
    throw new PeakPruneError(
      'invalid-model',
      `None of the chosen files (${names || 'none'}) is a TensorFlow.js model.json (a JSON object with "modelTopology"); choose the model.json together with its weight files.`,
    );
  }
  if (models.length > 1) {
    throw new PeakPruneError('invalid-model', `Choose one model.json at a time, together with its weight files; these are all model.json files: ${models.map((m) => m.file.name).join(', ')}.`);
  }

  const [model] = models;
  const { found, missing } = matchShards(manifestShardNames(model.json), files.map((file) => file.name));
  if (missing.length > 0) {
    throw new PeakPruneError('invalid-model', `${model.file.name} needs the weight files ${missing.join(', ')}, which were not chosen; choose them together with ${model.file.name}.`);
  }
  const shards: Record<string, ArrayBuffer> = {};
  for (const file of files) {
    if (found.includes(file.name)) shards[file.name] = await file.arrayBuffer();
  }
  return { fileName: model.file.name, modelJson: model.text, shards };
}
