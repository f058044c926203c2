import * as tf from '@tensorflow/tfjs';

import { PeakPruneError } from '../core/errors';
import { modelMetrics } from '../core/metrics';
import { loadFromFiles } from '../core/model-io';
import { summarizeModel } from '../core/topology';
import type { SampleSet } from '../core/types';
import { fileNameOf } from './sprites';
import type { ModelInfo } from './types';

/**
 * Loads a LayersModel and its weight shards from a URL. The http IO handler is named
 * explicitly because Vite 8's production build drops tfjs's URL-scheme router.
 */
export async function loadModelFromUrl(url: string): Promise<{ model: tf.LayersModel; info: ModelInfo }> {
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.http(url));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PeakPruneError('invalid-model', `Could not load the model ${fileNameOf(url)}: ${reason}`);
  }
  return { model, info: describeModel(model, fileNameOf(url)) };
}

/** Loads a model from the text of model.json and its weight files, keyed by file name. */
export async function loadModelFromFiles(
  modelJson: string,
  shards: Readonly<Record<string, ArrayBuffer>>,
  fileName: string,
): Promise<{ model: tf.LayersModel; info: ModelInfo }> {
  const model = await loadFromFiles(modelJson, new Map(Object.entries(shards)), fileName);
  return { model, info: describeModel(model, fileName) };
}

export function describeModel(model: tf.LayersModel, source: string): ModelInfo {
  const outputShape = model.outputs[0].shape;
  return {
    name: model.name,
    source,
    inputShape: model.inputs[0].shape.slice(1),
    classCount: outputShape[outputShape.length - 1] ?? null,
    layers: summarizeModel(model),
    metrics: modelMetrics(model),
  };
}

/**
 * Rejects images whose shape differs from the model's input, or whose labels name more
 * classes than the model outputs, before any tensor is built from them.
 */
export function checkSamplesFit(info: ModelInfo, samples: SampleSet, kind: string): void {
  const expected = info.inputShape;
  const fits = expected.length === 3 && samples.shape.every((size, i) => expected[i] === null || expected[i] === size);
  if (!fits) {
    throw new PeakPruneError(
      'invalid-images',
      `The ${kind} images are ${samples.shape.join('×')} but model "${info.source}" expects ${expected.map((d) => d ?? 'any').join('×')}; load a model that takes ${samples.shape.join('×')} images.`,
    );
  }
  if (info.classCount !== null && samples.classNames.length > info.classCount) {
    throw new PeakPruneError(
      'invalid-images',
      `The ${kind} images have ${samples.classNames.length} classes but model "${info.source}" outputs ${info.classCount}; load a model with ${samples.classNames.length} outputs.`,
    );
  }
}
