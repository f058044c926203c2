import * as tf from '@tensorflow/tfjs';

import { findMeasuringPoints, measureApoz } from './apoz';
import { densityPeakClustering } from './dpc';
import { filterNorms, layerDistances } from './distances';
import { PeakPruneError, throwIfCancelled } from './errors';
import { withInlinedModel } from './graph/flatten';
import { groupKernel, type GroupKernel } from './graph/group-weights';
import { analyzeChannels, type CoupledGroup } from './graph/propagate';
import { prunableGroups, requireConvolution } from './topology';
import type { ApozResult, DpcOptions, JobOptions, LayerAnalysis, SampleSet } from './types';

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
 * Clusters every prunable convolution layer or coupled group by density peak clustering and
 * scores its filters by APoZ on the calibration images. A coupled group is one unit named after
 * its lead layer, clustered on the concatenated filters of its members. Distances are computed first for all layers
 * (one GPU read-back per layer), then APoZ in one pass over the images.
 */
export async function analyzeModel(
  model: tf.LayersModel,
  calibration: SampleSet,
  options: AnalysisOptions,
  job: JobOptions = {},
): Promise<ModelAnalysis> {
  return withInlinedModel(model, (flat) => analyzeFlat(flat, calibration, options, job));
}

async function analyzeFlat(model: tf.LayersModel, calibration: SampleSet, options: AnalysisOptions, job: JobOptions): Promise<ModelAnalysis> {
  const channels = analyzeChannels(model);
  requireConvolution(model, channels);
  const groups = prunableGroups(channels);
  if (groups.length === 0) {
    throw new PeakPruneError(
      'no-prunable-layers',
      `Model "${model.name}" has no convolution layer that can be pruned, so there is nothing to do; inspect the model to see each layer's reason.`,
    );
  }

  const geometry: LayerGeometry[] = [];
  const kernels = new Map<string, GroupKernel>();
  for (const [i, group] of groups.entries()) {
    throwIfCancelled(job.signal);
    job.onProgress?.({ phase: 'distances', done: i / groups.length, detail: group.name });
    const filters = groupKernel(model, group);
    const kernel = tf.tensor4d(filters.kernel, filters.shape);
    try {
      const distances = await layerDistances(kernel, options.dpc.metric);
      const { l2 } = await filterNorms(kernel);
      geometry.push({ name: group.name, distances, l2 });
    } finally {
      kernel.dispose();
    }
    kernels.set(group.name, filters);
    await yieldToEvents();
  }
  job.onProgress?.({ phase: 'distances', done: 1 });

  const members = new Set(groups.flatMap((group) => group.members));
  const points = findMeasuringPoints(model).filter((p) => members.has(p.layer));
  const apoz = await measureApoz(model, calibration, points, { ...job, batchSize: options.batchSize });

  const layers = groups.map((group, i): LayerAnalysis => {
    const { kernel, shape } = kernels.get(group.name)!;
    const analysis: LayerAnalysis = {
      name: group.name,
      filters: group.channels,
      kernelShape: shape,
      kernel,
      dpc: clusterLayer(geometry[i], options.dpc),
      apoz: groupApoz(group, apoz),
      l1: l1FromKernel(kernel, shape),
      distances: geometry[i].distances,
    };
    if (group.members.length > 1) {
      analysis.members = group.members;
      analysis.memberChannels = group.memberChannels;
    }
    return analysis;
  });
  return { layers, geometry };
}

/**
 * Scores a group's channels. A group of one layer gets that layer's result. For a coupled group,
 * APoZ and the mean absolute activation of each channel are the averages over the members that
 * produce it, each measured at its own point, because every member's activation is removed with
 * the channel. APoZ applies only when it applies at every point.
 */
function groupApoz(group: CoupledGroup, results: readonly ApozResult[]): ApozResult {
  const own = group.members.map((name) => {
    const result = results.find((candidate) => candidate.layer === name);
    if (result === undefined) throw new PeakPruneError('internal', `No APoZ measuring point was found for layer "${name}".`);
    return result;
  });
  if (own.length === 1) return own[0];
  const apoz = new Float64Array(group.channels);
  const meanAbs = new Float64Array(group.channels);
  const counts = new Float64Array(group.channels);
  own.forEach((result, m) => {
    group.memberChannels[m].forEach((channel, filter) => {
      apoz[channel] += result.apoz[filter];
      meanAbs[channel] += result.meanAbs[filter];
      counts[channel] += 1;
    });
  });
  for (let g = 0; g < group.channels; g++) {
    apoz[g] /= counts[g];
    meanAbs[g] /= counts[g];
  }
  const applies = own.every((result) => result.applies);
  const result: ApozResult = {
    layer: group.name,
    measuredAt: [...new Set(own.map((r) => r.measuredAt))].join(', '),
    activation: [...new Set(own.map((r) => r.activation))].join(', '),
    applies,
    apoz,
    meanAbs,
    count: own.reduce((sum, r) => sum + r.count, 0),
  };
  const note = own.find((r) => !r.applies)?.note;
  if (!applies && note !== undefined) result.note = note;
  return result;
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
