import * as tf from '@tensorflow/tfjs';

import { findMeasuringPoints, measureApoz } from './apoz';
import { densityPeakClustering } from './dpc';
import { filterNorms, layerDistances } from './distances';
import { PeakPruneError, throwIfCancelled } from './errors';
import { prunableLayers } from './topology';
import type { DpcOptions, JobOptions, LayerAnalysis, SampleSet } from './types';

export interface AnalysisOptions {
  dpc: DpcOptions;
  /** Images per APoZ batch. */
  batchSize?: number;
}

/**
 * Per-layer state kept beside the analysis: the distance matrix and filter norms, so a
 * change of centers or cutoff reclusters without touching the GPU again.
 */
export interface LayerGeometry {
  name: string;
  distances: Float64Array;
  l2: Float64Array;
}

export interface ModelAnalysis {
  layers: LayerAnalysis[];
  geometry: LayerGeometry[];
}

/**
 * Clusters every prunable convolution layer by density peak clustering and scores its
 * filters by APoZ on the calibration images. Distances are computed first for all layers
 * (one GPU read-back per layer), then APoZ in one pass over the images.
 */
export async function analyzeModel(
  model: tf.LayersModel,
  calibration: SampleSet,
  options: AnalysisOptions,
  job: JobOptions = {},
): Promise<ModelAnalysis> {
  const names = prunableLayers(model);
  if (names.length === 0) {
    throw new PeakPruneError(
      'no-prunable-layers',
      `Model "${model.name}" has no convolution layer that can be pruned, so there is nothing to do.`,
    );
  }

  const geometry: LayerGeometry[] = [];
  const kernels = new Map<string, { kernel: Float32Array; shape: [number, number, number, number] }>();
  for (const [i, name] of names.entries()) {
    throwIfCancelled(job.signal);
    job.onProgress?.({ phase: 'distances', done: i / names.length, detail: name });
    const kernel = model.getLayer(name).getWeights()[0] as tf.Tensor4D;
    const distances = await layerDistances(kernel, options.dpc.metric);
    const { l2 } = await filterNorms(kernel);
    geometry.push({ name, distances, l2 });
    kernels.set(name, {
      kernel: (await kernel.data()) as Float32Array,
      shape: kernel.shape as [number, number, number, number],
    });
    await yieldToEvents();
  }
  job.onProgress?.({ phase: 'distances', done: 1 });

  const points = findMeasuringPoints(model).filter((p) => names.includes(p.layer));
  const apoz = await measureApoz(model, calibration, points, { ...job, batchSize: options.batchSize });

  const layers = names.map((name, i): LayerAnalysis => {
    const { kernel, shape } = kernels.get(name)!;
    const scores = apoz.find((a) => a.layer === name);
    if (scores === undefined) {
      throw new PeakPruneError('internal', `No APoZ measuring point was found for layer "${name}".`);
    }
    return {
      name,
      filters: shape[3],
      kernelShape: shape,
      kernel,
      dpc: clusterLayer(geometry[i], options.dpc),
      apoz: scores,
      l1: l1FromKernel(kernel, shape),
      distances: geometry[i].distances,
    };
  });
  return { layers, geometry };
}

/** Runs density peak clustering on a layer's cached distances. */
export function clusterLayer(geometry: LayerGeometry, options: DpcOptions) {
  return densityPeakClustering(geometry.distances, geometry.l2.length, options, geometry.l2);
}

function l1FromKernel(kernel: Float32Array, shape: readonly number[]): Float64Array {
  const filters = shape[3];
  const norms = new Float64Array(filters);
  for (let i = 0; i < kernel.length; i++) norms[i % filters] += Math.abs(kernel[i]);
  return norms;
}

/** Lets pending messages (an abort, for instance) run between GPU steps. */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
