// A temporary folder with a tiny saved model and a tiny ImageFolder, shared by the
// command-line tests, and an in-process runner for the `peakprune` main function.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';

import { readImageFolder, selectSamples, stratifiedSplit } from '../../../src/cli/images';
import { main, type CliIO } from '../../../src/cli/main';
import { artifactsToFiles, saveToArtifacts } from '../../../src/core/model-io';
import { lcg, seedWeights } from './tiny-models';

/** Height and width of the fixture's images and model input. */
export const SIZE = 8;

/** Writes 6 gray 8×8 PNGs per class: "dark" values in [30, 80), "light" in [170, 230). */
export async function writeImageFolder(dir: string, seed: number): Promise<void> {
  const next = lcg(seed);
  for (const [name, low, span] of [['dark', 30, 50], ['light', 170, 60]] as const) {
    await mkdir(path.join(dir, name), { recursive: true });
    for (let i = 0; i < 6; i++) {
      const png = new PNG({ width: SIZE, height: SIZE });
      for (let p = 0; p < SIZE * SIZE; p++) {
        const value = Math.floor(low + ((next() + 1) / 2) * span);
        png.data.set([value, value, value, 255], 4 * p);
      }
      await writeFile(path.join(dir, name, `${i}.png`), PNG.sync.write(png, { colorType: 0 }));
    }
  }
}

/**
 * input 8×8×1 → conv "c1" (6 filters) → BatchNormalization → ReLU → conv "c2" (6 filters) →
 * BatchNormalization → ReLU → max pool → flatten → dense "out" (2, softmax).
 */
function buildTinyModel(name: string): tf.LayersModel {
  const model = tf.sequential({ name });
  model.add(tf.layers.conv2d({ name: 'c1', inputShape: [SIZE, SIZE, 1], filters: 6, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.batchNormalization({ name: 'bn1' }));
  model.add(tf.layers.reLU({ name: 'relu1' }));
  model.add(tf.layers.conv2d({ name: 'c2', filters: 6, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.batchNormalization({ name: 'bn2' }));
  model.add(tf.layers.reLU({ name: 'relu2' }));
  model.add(tf.layers.maxPooling2d({ name: 'pool', poolSize: 2 }));
  model.add(tf.layers.flatten({ name: 'flat' }));
  model.add(tf.layers.dense({ name: 'out', units: 2, activation: 'softmax' }));
  seedWeights(model, 31);
  return model;
}

export interface CliFixture {
  /** Temporary folder with model/model.json, its weights and images/dark, images/light. */
  root: string;
  unprunedParams: number;
  /** Top-1 of the unpruned model on the evaluation half (split seed 0), computed outside the tool. */
  unprunedTop1: number;
  /** Runs `peakprune ARGS` in-process with `root` as the working folder. */
  runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  remove(): Promise<void>;
}

/** Creates the fixture on the cpu backend. Call `remove` in afterAll. */
export async function createCliFixture(prefix: string, modelName: string): Promise<CliFixture> {
  await tf.setBackend('cpu');
  const root = await mkdtemp(path.join(tmpdir(), prefix));
  await writeImageFolder(path.join(root, 'images'), 7);

  const model = buildTinyModel(modelName);
  const unprunedParams = model.countParams();
  const files = artifactsToFiles(await saveToArtifacts(model), 'model');
  await mkdir(path.join(root, 'model'));
  await writeFile(path.join(root, 'model', 'model.json'), files.modelJson);
  await writeFile(path.join(root, 'model', files.weightsFileName), files.weights);

  const { samples } = await readImageFolder(path.join(root, 'images'), { channels: 1, height: SIZE, width: SIZE, scale: 'divide-255' });
  const evaluation = selectSamples(samples, stratifiedSplit(samples.labels, 0.5, 0).rest);
  const predicted = tf.tidy(() => {
    const x = tf.tensor4d(evaluation.pixels, [evaluation.labels.length, SIZE, SIZE, 1]);
    return tf.argMax(model.predict(x) as tf.Tensor, -1).dataSync();
  });
  const unprunedTop1 = evaluation.labels.filter((label, i) => predicted[i] === label).length / evaluation.labels.length;
  model.dispose();

  const runCli = async (args: string[]) => {
    let stdout = '';
    let stderr = '';
    const io: CliIO = { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), showProgress: false, cwd: root };
    const code = await main(args, io);
    return { code, stdout, stderr };
  };
  return { root, unprunedParams, unprunedTop1, runCli, remove: () => rm(root, { recursive: true, force: true }) };
}
