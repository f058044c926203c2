// The benchmark suite's steps for one model, on whichever tfjs backend is active: Node's cpu
// backend (index.ts) or WebGL in headless Chromium (webgl.ts). Only the figures come back.
import * as tf from '@tensorflow/tfjs';

import { modelMetrics } from '../../src/core/metrics';
import { measureApozCost, measureDistances, toLayerAnalyses } from './analysis-steps';
import { gpuBytesAllocated } from './measure';
import { measureInference, measureRebuild } from './pruning-steps';
import type { ModelFigures } from './report';

export type BenchModelName = 'shipped' | 'vgg16';

export interface BenchModel {
  name: BenchModelName;
  model: tf.LayersModel;
  /** Calibration images [N, H, W, C] for APoZ, which the caller disposes. */
  images: tf.Tensor4D;
}

export interface ModelSettings {
  apozImages: number;
  /** Timed runs per layer of the distance and DPC step. */
  distanceRuns: number;
  batchSizes: number[];
  /** Timed inference runs per model and batch size. */
  runs: number;
}

/**
 * Runs the four steps on `bench` and disposes its model and images. After each step it notes the
 * backend's GPU high-water mark, so the figures show which step raised it.
 */
export async function runModel(bench: BenchModel, settings: ModelSettings): Promise<ModelFigures> {
  const started = performance.now();
  const gpuAfter: Record<string, number> = {};
  const noteGpu = (step: string) => {
    const bytes = gpuBytesAllocated();
    if (bytes !== undefined) gpuAfter[step] = bytes;
  };
  try {
    noteGpu('loaded');
    const { params, flops } = modelMetrics(bench.model);
    const distances = await measureDistances(bench.model, settings.distanceRuns);
    noteGpu('distances');
    const apoz = await measureApozCost(bench.model, bench.images);
    noteGpu('APoZ and predict');
    const layers = toLayerAnalyses(distances.parts, apoz.results);
    const rebuild = await measureRebuild(bench.model, layers, 0.5);
    noteGpu('rebuild, export, reload');
    const batchSizes = settings.batchSizes.filter((size) => size <= bench.images.shape[0]);
    const inference = await measureInference(bench.model, layers, bench.images, { ratios: [0.3, 0.5, 0.7], batchSizes, runs: settings.runs });
    noteGpu('inference');
    const totalSeconds = (performance.now() - started) / 1000;
    return {
      model: bench.name,
      backend: tf.getBackend(),
      params,
      flops,
      totalSeconds,
      distanceRuns: settings.distanceRuns,
      distances: distances.figures,
      apoz: apoz.figures,
      rebuild,
      inference,
      inferenceRuns: settings.runs,
      gpuBytesAllocatedAfter: gpuAfter,
    };
  } finally {
    bench.model.dispose();
    bench.images.dispose();
  }
}
