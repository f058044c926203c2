import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readImageFolder, selectSamples, stratifiedSplit } from '../../src/cli/images';
import { main, type CliIO } from '../../src/cli/main';
import type { SweepResult } from '../../src/cli/commands/sweep-output';
import { artifactsToFiles, saveToArtifacts } from '../../src/core/model-io';
import { lcg, seedWeights } from './helpers/tiny-models';

const SIZE = 8;
const METHODS = ['dpc-apoz', 'l1', 'l2', 'apoz', 'random', 'fpgm', 'density-peak', 'dpc-l1'];

/**
 * input 8×8×1 → conv "c1" (6 filters) → BatchNormalization → ReLU → conv "c2" (6 filters) →
 * BatchNormalization → ReLU → max pool → flatten → dense "out" (2, softmax).
 */
function buildTinyModel(): tf.LayersModel {
  const model = tf.sequential({ name: 'tiny_sweep' });
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

/** Writes 6 gray 8×8 PNGs per class: "dark" values in [30, 80), "light" in [170, 230). */
async function writeImageFolder(dir: string): Promise<void> {
  const next = lcg(7);
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

let root: string;
let unprunedParams: number;
let unprunedTop1: number;

async function runCli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), showProgress: false, cwd: root };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(path.join(tmpdir(), 'peakprune-sweep-'));
  await writeImageFolder(path.join(root, 'images'));

  const model = buildTinyModel();
  unprunedParams = model.countParams();
  const files = artifactsToFiles(await saveToArtifacts(model), 'model');
  await mkdir(path.join(root, 'model'));
  await writeFile(path.join(root, 'model', 'model.json'), files.modelJson);
  await writeFile(path.join(root, 'model', files.weightsFileName), files.weights);

  // The unpruned model's top-1 on the evaluation half (split seed 0), computed outside the tool.
  const { samples } = await readImageFolder(path.join(root, 'images'), { channels: 1, height: SIZE, width: SIZE, scale: 'divide-255' });
  const evaluation = selectSamples(samples, stratifiedSplit(samples.labels, 0.5, 0).rest);
  const predicted = tf.tidy(() => {
    const x = tf.tensor4d(evaluation.pixels, [evaluation.labels.length, SIZE, SIZE, 1]);
    return tf.argMax(model.predict(x) as tf.Tensor, -1).dataSync();
  });
  unprunedTop1 = evaluation.labels.filter((label, i) => predicted[i] === label).length / evaluation.labels.length;
  model.dispose();
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('peakprune sweep', () => {
  it('writes one row per method, seed and ratio', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const { code, stdout, stderr } = await runCli([
      'sweep', '--model', 'model/model.json', '--images', 'images',
      '--methods', METHODS.join(','), '--ratios', '0,0.5', '--seeds', '0,1', '--out', 'sweep',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    const lines = (await readFile(path.join(root, 'sweep', 'sweep.csv'), 'utf8')).trimEnd().split('\n');
    expect(lines[0].startsWith('method,seed,ratio,params,flops,top1')).toBe(true);
    // Seven methods once and random with two seeds, each at two ratios.
    expect(lines).toHaveLength(1 + (7 + 2) * 2);

    const header = lines[0].split(',');
    const rows = lines.slice(1).map((line) => Object.fromEntries(line.split(',').map((cell, i) => [header[i], cell])));
    for (const row of rows.filter((r) => r.ratio === '0')) {
      expect(Number(row.top1)).toBe(unprunedTop1);
      expect(Number(row.params)).toBe(unprunedParams);
    }
    for (const row of rows.filter((r) => r.ratio === '0.5')) {
      expect(Number(row.params)).toBeLessThan(unprunedParams);
    }
    expect(rows.filter((r) => r.method === 'random').map((r) => r.seed)).toEqual(['0', '0', '1', '1']);
    expect(rows.filter((r) => r.method !== 'random').every((r) => r.seed === '')).toBe(true);

    const json = JSON.parse(await readFile(path.join(root, 'sweep', 'sweep.json'), 'utf8')) as SweepResult;
    expect(json.rows).toHaveLength(18);
    expect(json.unpruned.top1).toBe(unprunedTop1);
    expect(json.settings).toMatchObject({ ratios: [0, 0.5], seeds: [0, 1], calibrationImages: 6, evaluationImages: 6 });
    expect(json.rows[0]).toMatchObject({ method: 'dpc-apoz', seed: null, ratio: 0 });

    expect(stdout).toMatch(/^top-1 \(%\) +0 +0\.5$/m);
    expect(stdout).toMatch(/^random \(mean of 2 seeds\) +\d/m);
    expect(stdout).toContain('re-estimated on 6 calibration images');
    expect(stdout).toContain('Wrote sweep.csv and sweep.json (18 rows) to sweep');
  });

  it('runs every method by default', async () => {
    const { code } = await runCli(['sweep', '--model', 'model/model.json', '--images', 'images', '--ratios', '0.3', '--out', 'default']);
    expect(code).toBe(0);
    const json = JSON.parse(await readFile(path.join(root, 'default', 'sweep.json'), 'utf8')) as SweepResult;
    expect(json.settings.methods).toEqual(METHODS);
    expect(json.rows.map((row) => row.method)).toEqual(METHODS);
  });

  it.each([
    [['--methods', 'l1,l3'], 'Option --methods has the unknown value "l3"'],
    [['--methods', 'l1,,l2'], 'Option --methods has an empty item'],
    [['--ratios', '0,1'], 'Option --ratios has the invalid value "1"'],
    [['--ratios', '0.1,0.1'], 'Option --ratios lists 0.1 twice'],
    [['--seeds', '-1'], 'Option --seeds needs a value'],
    [['--seeds', '1.5'], 'Option --seeds has the invalid value "1.5"'],
  ])('rejects %j', async (extra, message) => {
    const { code, stdout, stderr } = await runCli(['sweep', '--images', 'images', '--out', 'bad', ...extra]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('requires --out', async () => {
    const { code, stderr } = await runCli(['sweep', '--images', 'images']);
    expect(code).toBe(1);
    expect(stderr).toContain('Option --out is required');
  });
});

describe('peakprune prune with the new methods', () => {
  it.each(['density-peak', 'fpgm', 'random'])('prunes with %s', async (method) => {
    const { code, stdout } = await runCli([
      'prune', '--model', 'model/model.json', '--images', 'images', '--method', method, '--ratio', '0.5', '--out', `prune-${method}`,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain(`with ${method} at ratio 0.5`);
    const report = JSON.parse(await readFile(path.join(root, `prune-${method}`, 'report.json'), 'utf8'));
    // round(0.5 · 6) = 3 filters leave each of the two layers.
    expect(report.layers.map((layer: { removed: number[] }) => layer.removed.length)).toEqual([3, 3]);
    expect(report.plan).toMatchObject({ method, seed: 0 });
  });
});
