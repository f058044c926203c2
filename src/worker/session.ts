// Worker side of saved sessions: the loaded model's files, so the page can store them and load
// the same model after a reload, and the reinstallation of a saved pruned model.
import { PeakPruneError } from '../core/errors';
import { artifactsToFiles, loadFromFiles, saveToArtifacts } from '../core/model-io';
import type { PruneReport } from '../core/report';
import { replacePruned, requireModel } from './state';

/** The loaded (unpruned) model as model.json text and one weights file. */
export interface OriginalModelFiles {
  /** File name the model was loaded from, used again when it is restored. */
  source: string;
  modelJson: string;
  /** A copy the caller may transfer. */
  weights: ArrayBuffer;
  weightsFileName: string;
}

export async function exportOriginalModel(): Promise<OriginalModelFiles> {
  const { model, info } = requireModel();
  const files = artifactsToFiles(await saveToArtifacts(model), 'model');
  const weights = files.weights.slice().buffer as ArrayBuffer;
  return { source: info.source, modelJson: files.modelJson, weights, weightsFileName: files.weightsFileName };
}

/** Files of a pruned model saved with the session, with its report.json text. */
export interface PrunedModelFiles {
  modelJson: string;
  weights: ArrayBuffer;
  weightsFileName: string;
  report: string;
}

/**
 * Loads a saved pruned model and installs it as the last pruning result, so fine-tuning and
 * exporting work after a reload. Throws `invalid-model` when no original model is loaded or the
 * files do not load.
 */
export async function restorePrunedModel(files: PrunedModelFiles): Promise<void> {
  requireModel();
  let report: PruneReport;
  try {
    report = JSON.parse(files.report) as PruneReport;
  } catch (error) {
    throw new PeakPruneError('invalid-model', `The saved report.json is not valid JSON (${(error as Error).message}); prune again.`);
  }
  const model = await loadFromFiles(files.modelJson, new Map([[files.weightsFileName, files.weights]]), 'the saved pruned model.json');
  replacePruned(model, report);
}
