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
  return { model, info: describeOrDispose(model, fileNameOf(url)) };
}

/** Loads a model from the text of model.json and its weight files, keyed by file name. */
export async function loadModelFromFiles(
  modelJson: string,
  shards: Readonly<Record<string, ArrayBuffer>>,
  fileName: string,
): Promise<{ model: tf.LayersModel; info: ModelInfo }> {
  const model = await loadFromFiles(modelJson, new Map(Object.entries(shards)), fileName);
  return { model, info: describeOrDispose(model, fileName) };
}

/**
 * Describes a freshly loaded model and checks that it has a convolution layer to prune, so a
 * model the workbench cannot use never replaces the current one. Disposes it on failure.
 */
function describeOrDispose(model: tf.LayersModel, source: string): ModelInfo {
  try {
    const info = describeModel(model, source);
    if (!info.layers.some((layer) => layer.prunable)) {
      const conv = info.layers.find((layer) => layer.className === 'Conv2D');
      const reason =
        conv === undefined
          ? 'it has no convolution (Conv2D) layer, so there is nothing to prune'
          : `no convolution layer can be pruned (${conv.name}: ${conv.reason ?? 'not supported'})`;
      throw new PeakPruneError('no-prunable-layers', `${source} was not opened: ${reason}. The current model stays loaded.`);
    }
    return info;
  } catch (error) {
    model.dispose();
    if (error instanceof PeakPruneError) {
      throw new PeakPruneError(error.code, error.message.startsWith(source) ? error.message : `${source}: ${error.message}`);
    }
    throw error;
  }
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
