// Steps 1 and 2 of the suite: filter distances plus density peak clustering for every prunable
// convolution layer, and APoZ against plain inference over the same images.
import * as tf from '@tensorflow/tfjs';

import { findMeasuringPoints, measureApoz } from '../../src/core/apoz';
import { filterNorms, layerDistances } from '../../src/core/distances';
import { densityPeakClustering } from '../../src/core/dpc';
import { prunableLayers } from '../../src/core/topology';
import { DEFAULT_DPC_OPTIONS, type ApozResult, type DpcResult, type LayerAnalysis } from '../../src/core/types';
import { measured, medianTime } from './measure';

export interface DistanceFigures {
  layer: string;
  filters: number;
  /** Weights per filter (kh·kw·cin). */
  weightsPerFilter: number;
  /** Median times in ms. */
  tfjsMs: number;
  float64LoopMs: number;
  /** tfjsMs / float64LoopMs: below 1 means the tfjs path is faster. */
  ratio: number;
  /** Largest |d_tfjs − d_float64| over the matrix, a check that both compute the same thing. */
  maxAbsDifference: number;
  /** densityPeakClustering on the finished matrix, in ms. */
  dpcMs: number;
  /** Peak extra tensor bytes of the tfjs distance computation. */
  tfjsPeakBytes: number;
}

/** Geometry of one layer kept for planning: what LayerAnalysis needs besides APoZ. */
export interface LayerParts {
  name: string;
  kernel: Float32Array;
  kernelShape: [number, number, number, number];
  l1: Float64Array;
  distances: Float64Array;
  dpc: DpcResult;
}

/**
 * Computes the Euclidean distances between the filters of a kernel stored kh × kw × cin × cout,
 * in float64 with a plain double loop over filter pairs: the reference the tfjs path is timed against.
 */
export function float64Distances(kernel: Float32Array, shape: readonly number[]): Float64Array {
  const [kh, kw, cin, n] = shape;
  const size = kh * kw * cin;
  const rows = new Float64Array(n * size);
  for (let k = 0; k < size; k++) {
    for (let f = 0; f < n; f++) rows[f * size + k] = kernel[k * n + f];
  }
  const dist = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < size; k++) {
        const d = rows[i * size + k] - rows[j * size + k];
        sum += d * d;
      }
      const distance = Math.sqrt(sum);
      dist[i * n + j] = distance;
      dist[j * n + i] = distance;
    }
  }
  return dist;
}

function maxAbsDifference(a: Float64Array, b: Float64Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/**
 * Measures step 1 for one prunable layer and returns its figures and planning parts. Each of the
 * three computations runs once untimed (that run's result is kept), then `runs` timed times.
 */
async function measureLayer(model: tf.LayersModel, name: string, runs: number): Promise<{ figures: DistanceFigures; parts: LayerParts }> {
  const kernelTensor = model.getLayer(name).getWeights()[0] as tf.Tensor4D;
  const shape = kernelTensor.shape as [number, number, number, number];
  const kernel = (await kernelTensor.data()) as Float32Array;
  const { l1, l2 } = await filterNorms(kernelTensor);
  const n = shape[3];

  const distances = await layerDistances(kernelTensor, DEFAULT_DPC_OPTIONS.metric);
  const tfjs = await medianTime(async () => {
    await layerDistances(kernelTensor, DEFAULT_DPC_OPTIONS.metric);
  }, runs, false);
  const reference = float64Distances(kernel, shape);
  const loop = await medianTime(() => {
    float64Distances(kernel, shape);
  }, runs, false);
  const dpc = densityPeakClustering(distances, n, DEFAULT_DPC_OPTIONS, l2);
  const dpcTime = await medianTime(() => {
    densityPeakClustering(distances, n, DEFAULT_DPC_OPTIONS, l2);
  }, runs, false);

  const figures: DistanceFigures = {
    layer: name,
    filters: n,
    weightsPerFilter: shape[0] * shape[1] * shape[2],
    tfjsMs: tfjs.ms,
    float64LoopMs: loop.ms,
    ratio: tfjs.ms / loop.ms,
    maxAbsDifference: maxAbsDifference(distances, reference),
    dpcMs: dpcTime.ms,
    tfjsPeakBytes: tfjs.peakExtraBytes,
  };
  return { figures, parts: { name, kernel, kernelShape: shape, l1, distances, dpc } };
}

/** Runs step 1 on every prunable convolution layer, in model order, with the median of `runs` timed runs each. */
export async function measureDistances(model: tf.LayersModel, runs: number): Promise<{ figures: DistanceFigures[]; parts: LayerParts[] }> {
  const figures: DistanceFigures[] = [];
  const parts: LayerParts[] = [];
  for (const name of prunableLayers(model)) {
    const layer = await measureLayer(model, name, runs);
    figures.push(layer.figures);
    parts.push(layer.parts);
  }
  return { figures, parts };
}

export interface ApozFigures {
  images: number;
  batchSize: number;
  apozMs: number;
  predictMs: number;
  /** apozMs / predictMs: the cost of measuring relative to inference alone. */
  ratio: number;
  /** Peak extra tensor bytes of the whole run, for APoZ and for predict. */
  apozPeakBytes: number;
  predictPeakBytes: number;
  /** Bytes read back from the backend: per-channel counts for APoZ, the class scores for predict. */
  apozReadBackBytes: number;
  predictReadBackBytes: number;
}

function predictAll(model: tf.LayersModel, images: tf.Tensor4D, batchSize: number): void {
  for (let start = 0; start < images.shape[0]; start += batchSize) {
    const size = Math.min(batchSize, images.shape[0] - start);
    tf.tidy(() => {
      const output = model.predict(tf.slice(images, start, size)) as tf.Tensor;
      output.dataSync();
    });
  }
}

/** Runs step 2: measureApoz over all images against model.predict over the same images in the same batches. */
export async function measureApozCost(
  model: tf.LayersModel,
  images: tf.Tensor4D,
  batchSize = 32,
): Promise<{ figures: ApozFigures; results: ApozResult[] }> {
  const prunable = new Set(prunableLayers(model));
  const points = findMeasuringPoints(model).filter((point) => prunable.has(point.layer));
  const apoz = await measured(() => measureApoz(model, images, points, { batchSize }));
  const predict = await measured(() => predictAll(model, images, batchSize));
  const figures: ApozFigures = {
    images: images.shape[0],
    batchSize,
    apozMs: apoz.ms,
    predictMs: predict.ms,
    ratio: apoz.ms / predict.ms,
    apozPeakBytes: apoz.peakExtraBytes,
    predictPeakBytes: predict.peakExtraBytes,
    apozReadBackBytes: apoz.readBackBytes,
    predictReadBackBytes: predict.readBackBytes,
  };
  return { figures, results: apoz.result };
}

/** Joins the step 1 parts with the APoZ results into the analyses planPruning reads. */
export function toLayerAnalyses(parts: readonly LayerParts[], apoz: readonly ApozResult[]): LayerAnalysis[] {
  return parts.map((part) => {
    const result = apoz.find((a) => a.layer === part.name);
    if (result === undefined) throw new Error(`No APoZ result was measured for layer "${part.name}".`);
    return { ...part, filters: part.kernelShape[3], apoz: result };
  });
}
