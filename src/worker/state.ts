import type * as tf from '@tensorflow/tfjs';

import type { LayerGeometry } from '../core/analyze';
import { PeakPruneError } from '../core/errors';
import type { PruneReport } from '../core/report';
import type { DpcOptions, EvaluationResult, LayerAnalysis, SampleSet } from '../core/types';
import type { ModelInfo, SampleKind } from './types';

/** Results of the last analysis that succeeded, kept so reclustering needs no GPU work. */
export interface AnalysisState {
  layers: LayerAnalysis[];
  geometry: Map<string, LayerGeometry>;
  /** Options the analysis ran with; reclustering one layer does not change them. */
  dpc: DpcOptions;
  /** Number of calibration images the APoZ scores were measured on. */
  calibrationImages: number;
}

/**
 * Everything the worker owns. Replacement always happens after the new value exists, so a
 * failed step leaves what the user already had.
 */
interface WorkerState {
  model?: tf.LayersModel;
  info?: ModelInfo;
  samples: Partial<Record<SampleKind, SampleSet>>;
  analysis?: AnalysisState;
  /** Top-1 of the loaded model on the evaluation images, measured once. */
  originalTop1?: EvaluationResult;
  pruned?: { model: tf.LayersModel; report: PruneReport };
}

export const state: WorkerState = { samples: {} };

/** Installs a newly loaded model; drops the old model and everything derived from it. */
export function replaceModel(model: tf.LayersModel, info: ModelInfo): void {
  state.model?.dispose();
  state.pruned?.model.dispose();
  state.model = model;
  state.info = info;
  state.analysis = undefined;
  state.originalTop1 = undefined;
  state.pruned = undefined;
}

/**
 * Installs newly decoded images. A previous analysis stays (it records how many calibration
 * images it used), but the cached top-1 of the original model no longer holds.
 */
export function replaceSamples(kind: SampleKind, samples: SampleSet): void {
  state.samples[kind] = samples;
  if (kind === 'evaluation') state.originalTop1 = undefined;
}

/** Removes one image set, such as the evaluation set when newly loaded images carry no labels. */
export function clearSamples(kind: SampleKind): void {
  delete state.samples[kind];
  if (kind === 'evaluation') state.originalTop1 = undefined;
}

/** Installs a newly pruned model, disposing the previous one only now that the new one exists. */
export function replacePruned(model: tf.LayersModel, report: PruneReport): void {
  state.pruned?.model.dispose();
  state.pruned = { model, report };
}

export function requireModel(): { model: tf.LayersModel; info: ModelInfo } {
  if (state.model === undefined || state.info === undefined) {
    throw new PeakPruneError('invalid-model', 'No model is loaded; load a model first.');
  }
  return { model: state.model, info: state.info };
}

export function requireSamples(kind: SampleKind): SampleSet {
  const samples = state.samples[kind];
  if (samples === undefined) {
    throw new PeakPruneError('invalid-images', `No ${kind} images are loaded; load them first.`);
  }
  return samples;
}

export function requireAnalysis(): AnalysisState {
  if (state.analysis === undefined) {
    throw new PeakPruneError('invalid-options', 'The model has not been analysed yet; run the analysis first.');
  }
  return state.analysis;
}
