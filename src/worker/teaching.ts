// Worker side of the teaching views: the 2-D filter map of a layer and the activation maps of
// one image. Both read what the analysis left in the worker's state.
import * as tf from '@tensorflow/tfjs';

import { findMeasuringPoints } from '../core/apoz';
import { PeakPruneError } from '../core/errors';
import { classicalMds } from '../core/mds';
import { requireAnalysis, requireModel, requireSamples } from './state';
import type { SampleKind } from './types';

/** The filters of one layer placed in 2-D by classical MDS of the distances DPC clusters. */
export interface LayerEmbedding {
  layer: string;
  x: Float64Array;
  y: Float64Array;
  /** Kruskal's stress-1 of the 2-D distances against the filter distances. */
  stress: number;
  /** Share of the filters' total squared spread that the two axes keep, in [0, 1]. */
  explainedVariance: number;
}

/** Every filter's output after its activation for one sample image. */
export interface ActivationMaps {
  layer: string;
  /** The layer whose output is shown: the conv itself, or the activation layer after it. */
  measuredAt: string;
  activation: string;
  /** Whether the activation outputs exact zeros, so the zero count is APoZ's share of this image. */
  applies: boolean;
  imageIndex: number;
  /** Class name of the image's label. */
  label: string;
  /** The input image, H × W × C, scaled as the model takes it. */
  image: Float32Array;
  imageShape: [number, number, number];
  height: number;
  width: number;
  filters: number;
  /** Activations laid out [filter][y][x]. */
  maps: Float32Array;
  /** Fraction of exact zeros in each filter's map for this image. */
  zeroFraction: Float64Array;
}

/** Embeds the filters of an analysed layer in 2-D from its cached distance matrix. */
export function embedLayer(layerName: string): LayerEmbedding {
  const geometry = requireAnalysis().geometry.get(layerName);
  if (geometry === undefined) {
    throw new PeakPruneError('invalid-options', `Layer "${layerName}" was not analysed, so it has no filter map; choose an analysed layer.`);
  }
  const n = geometry.l2.length;
  const embedding = classicalMds(geometry.distances, n);
  return { layer: layerName, x: embedding.x, y: embedding.y, stress: embedding.stress, explainedVariance: embedding.explainedVariance };
}

/**
 * Runs one image of the chosen set through the model up to the layer's measuring point (the
 * activation after the conv, as APoZ measures it) and returns every channel's map.
 */
export async function activationMaps(layerName: string, imageIndex: number, kind: SampleKind = 'calibration'): Promise<ActivationMaps> {
  const { model } = requireModel();
  const samples = requireSamples(kind);
  const count = samples.labels.length;
  if (!Number.isInteger(imageIndex) || imageIndex < 0 || imageIndex >= count) {
    throw new PeakPruneError('invalid-options', `Image ${imageIndex} does not exist; the ${kind} set has images 0 to ${count - 1}.`);
  }
  const point = findMeasuringPoints(model).find((p) => p.layer === layerName);
  if (point === undefined) {
    throw new PeakPruneError('invalid-options', `Layer "${layerName}" is not a Conv2D layer of the loaded model; choose a convolution layer.`);
  }

  const [h, w, c] = samples.shape;
  const imageSize = h * w * c;
  const image = samples.pixels.slice(imageIndex * imageSize, (imageIndex + 1) * imageSize);
  // The sub-model shares the loaded model's layers and weights, so it is never disposed here,
  // because disposing it would release weights the loaded model still uses.
  const probe = tf.model({ inputs: model.inputs, outputs: model.getLayer(point.measuredAt).output as tf.SymbolicTensor });
  const output = tf.tidy(() => {
    const batch = tf.tensor4d(image, [1, h, w, c]);
    const activations = probe.predict(batch) as tf.Tensor4D;
    // [1, H, W, F] → [F, H, W], so each filter's map is contiguous.
    return tf.transpose(activations.squeeze([0]), [2, 0, 1]) as tf.Tensor3D;
  });
  const [filters, height, width] = output.shape;
  const maps = (await output.data()) as Float32Array;
  output.dispose();

  return {
    layer: layerName,
    measuredAt: point.measuredAt,
    activation: point.activation,
    applies: point.applies,
    imageIndex,
    label: samples.classNames[samples.labels[imageIndex]] ?? String(samples.labels[imageIndex]),
    image,
    imageShape: [h, w, c],
    height,
    width,
    filters,
    maps,
    zeroFraction: zeroFractions(maps, filters, height * width),
  };
}

function zeroFractions(maps: Float32Array, filters: number, area: number): Float64Array {
  const fractions = new Float64Array(filters);
  for (let f = 0; f < filters; f++) {
    let zeros = 0;
    for (let i = f * area; i < (f + 1) * area; i++) if (maps[i] === 0) zeros++;
    fractions[f] = zeros / area;
  }
  return fractions;
}
