// Public pretrained models kept outside the repository, which must not contain copies of them:
// each loads, prunes 30 % of every prunable group by L1 norm, rebuilds, runs and reloads.
// Skipped when their folder is absent.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { PeakPruneError } from '../../src/core/errors';
import { groupKernel } from '../../src/core/graph/group-weights';
import { analyzeChannels } from '../../src/core/graph/propagate';
import { rebuildPruned } from '../../src/core/rebuild';
import { removalCount, selectByNorm } from '../../src/core/select';
import { describeChannels, prunableGroups } from '../../src/core/topology';
import type { RemovalMap } from '../../src/core/types';
import { lcg, maxAbsDiff } from './helpers/tiny-models';

const FOLDER = resolve(__dirname, '../../../shared/real-models');
const PRESENT = existsSync(FOLDER);

if (!PRESENT) console.warn(`Skipping the real-model tests: ${FOLDER} is absent.`);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * Loads a model.json and its weight files with tfjs alone, so that the graph code gets the model
 * exactly as tfjs reads it, whatever checks the product's loader adds.
 */
async function loadModelFile(path: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(path, 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const buffers = json.weightsManifest.flatMap((group) => group.paths.map((file) => readFileSync(join(dirname(path), file))));
  const total = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
  const data = new Uint8Array(total);
  let offset = 0;
  for (const buffer of buffers) {
    data.set(buffer, offset);
    offset += buffer.length;
  }
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: data.buffer }));
}

/** Removes round(30 %) of each prunable group's channels, those of smallest L1 norm over all members. */
function thirtyPercent(model: tf.LayersModel): RemovalMap {
  const channels = analyzeChannels(model);
  const removed: Record<string, number[]> = {};
  for (const group of prunableGroups(channels)) {
    const { kernel } = groupKernel(model, group);
    const l1 = new Float64Array(group.channels);
    for (let i = 0; i < kernel.length; i++) l1[i % group.channels] += Math.abs(kernel[i]);
    const count = removalCount(group.channels, 0.3, 1);
    if (count > 0) removed[group.name] = selectByNorm(l1, count);
  }
  return removed;
}

function randomInputs(model: tf.LayersModel): tf.Tensor[] {
  const next = lcg(1);
  return model.inputs.map((input) => {
    const shape = [1, ...(input.shape.slice(1) as number[])];
    return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (next() + 1) / 2), shape);
  });
}

function outputs(model: tf.LayersModel, inputs: tf.Tensor[]): number[] {
  return tf.tidy(() => {
    const result = model.predict(inputs.length === 1 ? inputs[0] : inputs);
    return (Array.isArray(result) ? result : [result]).flatMap((tensor) => Array.from(tensor.dataSync()));
  });
}

async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return tf.loadLayersModel(tf.io.fromMemory(saved!));
}

/** Prunes, runs and reloads one model, and prints what was pruned and frozen. */
async function pruneAndReload(folder: string, file = 'model.json', expectPruned = true): Promise<void> {
  const started = Date.now();
  const model = await loadModelFile(join(FOLDER, folder, file));
  const inputs = randomInputs(model);
  const structure = describeChannels(model);
  const removed = thirtyPercent(model);
  expect(Object.keys(removed).length > 0, `${folder}: pruned groups`).toBe(expectPruned);

  const copy = rebuildPruned(model, {});
  expect(maxAbsDiff(outputs(copy, inputs), outputs(model, inputs)), `${folder}: ratio 0`).toBe(0);
  copy.dispose();

  const pruned = rebuildPruned(model, removed);
  const prunedOutputs = outputs(pruned, inputs);
  expect(prunedOutputs.length).toBe(outputs(model, inputs).length);
  expect(prunedOutputs.every(Number.isFinite), `${folder}: finite outputs`).toBe(true);
  if (expectPruned) expect(pruned.countParams()).toBeLessThan(model.countParams());
  const reloaded = await roundTrip(pruned);
  expect(maxAbsDiff(outputs(reloaded, inputs), prunedOutputs), `${folder}: reload`).toBe(0);

  const groups = structure.groups.filter((group) => group.prunable);
  console.log(
    [
      `${folder}: params ${model.countParams()} -> ${pruned.countParams()}, ${(Date.now() - started) / 1000} s`,
      `  pruned: ${groups.map((group) => `${group.members.join('+')} ${group.channels}->${group.channels - (removed[group.name]?.length ?? 0)}`).join(', ')}`,
      `  frozen: ${structure.frozen.map((f) => `${f.name} (${f.className}): ${f.reason}`).join('; ') || 'none'}`,
      `  not prunable: ${structure.groups.filter((group) => !group.prunable).map((group) => `${group.members.join('+')}: ${group.reason}`).join('; ') || 'none'}`,
    ].join('\n'),
  );
  reloaded.dispose();
  pruned.dispose();
  tf.dispose(inputs);
  model.dispose();
}

describe.skipIf(!PRESENT)('real models', () => {
  it('prunes cifar10-bn-dropout', async () => {
    await pruneAndReload('cifar10-bn-dropout');
  });

  it('keeps lenet-mnist-multioutput-legacy whole', async () => {
    // Every layer but the input and Flatten is a model output, so both convolutions keep their filters.
    await pruneAndReload('lenet-mnist-multioutput-legacy', 'mnist.json', false);
    const model = await loadModelFile(join(FOLDER, 'lenet-mnist-multioutput-legacy', 'mnist.json'));
    const reasons = describeChannels(model).groups.map((group) => group.reason);
    expect(reasons).toEqual([
      'its channels reach a model output through layer "conv2d_Conv2D1"',
      'its channels reach a model output through layer "conv2d_Conv2D2"',
    ]);
    model.dispose();
  });

  it('prunes darknet-tiny-imagenet', { timeout: 300_000 }, async () => {
    await pruneAndReload('darknet-tiny-imagenet');
  });

  it('finds nothing to prune in fashion-mnist-mlp-nonconv', async () => {
    const model = await loadModelFile(join(FOLDER, 'fashion-mnist-mlp-nonconv', 'model.json'));
    const channels = analyzeChannels(model);
    expect(prunableGroups(channels)).toEqual([]);
    let error: unknown;
    try {
      rebuildPruned(model, { dense: [0] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PeakPruneError);
    model.dispose();
  });
});
