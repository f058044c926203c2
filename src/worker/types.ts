// Values the worker returns to the page. The API's own type is `typeof api` in worker.ts;
// these are the plain, structured-cloneable shapes its methods resolve to.
import type { ErrorCode } from '../core/errors';
import type { ModelFigures, PruneReport } from '../core/report';
import type { LayerSummary, ModelMetrics, PruningPlan } from '../core/types';

/** Backend that tfjs runs on in the worker, and why WebGL was not used when it was not. */
export interface BackendInfo {
  backend: string;
  /** Error message from the failed WebGL start; absent when WebGL runs. */
  fallbackReason?: string;
}

export interface ModelInfo {
  /** The model's own name from its topology, e.g. "sequential_1". */
  name: string;
  /** Origin of the model: the URL's file name or the picked file's name. */
  source: string;
  /** Input shape without the batch dimension, e.g. [28, 28, 1]. */
  inputShape: (number | null)[];
  /** Size of the last output dimension, or null when the output shape leaves it open. */
  classCount: number | null;
  layers: LayerSummary[];
  metrics: ModelMetrics;
  /** Storage format of the model: 'tfjs-layers', 'teachable-machine', 'keras-h5' or 'keras-v3'. */
  format?: string;
  /** Sentences about conversions on loading (quantized weights, dropped Keras features). */
  notes?: string[];
  /** Class names the model's files provide (Teachable Machine metadata.json). */
  classNames?: string[];
  /**
   * Reason the images loaded before were unloaded, set when they did not fit this model. The page
   * then loads matching images or asks for them.
   */
  imagesDropped?: string;
}

export type SampleKind = 'calibration' | 'evaluation';

export interface SamplesInfo {
  kind: SampleKind;
  /** File name of the sprite the images came from. */
  source: string;
  count: number;
  classNames: string[];
  /** [H, W, C] of one image. */
  shape: [number, number, number];
}

export interface PruneOutcome {
  plan: PruningPlan;
  before: ModelFigures;
  after: ModelFigures;
  report: PruneReport;
}

/** The pruned model as files, ready for the page to turn into downloads. */
export interface ExportedModel {
  modelJson: string;
  /**
   * The weights file and model.zip (model.json plus the weights) as Blobs made in the worker:
   * building a Blob copies its bytes, which for a VGG-16 blocked the page for about 50 ms.
   */
  weights: Blob;
  weightsFileName: string;
  /** report.json's text. */
  report: string;
  zip: Blob;
}

/** A failure as it crosses the thread boundary: the code survives, unlike on a thrown Error. */
export interface WireError {
  code: ErrorCode;
  message: string;
}

/**
 * Result of every worker call. Failures travel as values because Comlink copies only the
 * name, message and stack of a thrown Error, which would lose the code.
 */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: WireError };
