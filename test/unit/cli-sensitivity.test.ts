import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readImageFolder, selectSamples, stratifiedSplit } from '../../src/cli/images';
import { main, type CliIO } from '../../src/cli/main';
import type { SensitivityResult } from '../../src/cli/commands/sensitivity';
import { artifactsToFiles, saveToArtifacts } from '../../src/core/model-io';
import { lcg, seedWeights } from './helpers/tiny-models';

const SIZE = 8;

/**
 * input 8×8×1 → conv "c1" (6 filters) → BatchNormalization → ReLU → conv "c2" (6 filters) →
 * BatchNormalization → ReLU → max pool → flatten → dense "out" (2, softmax).
 */
function buildTinyModel(): tf.LayersModel {
  const model = tf.sequential({ name: 'tiny_sensitivity' });
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
  root = await mkdtemp(path.join(tmpdir(), 'peakprune-sensitivity-'));
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

type CsvRow = Record<string, string>;

async function readCsv(file: string): Promise<{ header: string; rows: CsvRow[] }> {
  const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
  const columns = lines[0].split(',');
  const rows = lines.slice(1).map((line) => Object.fromEntries(line.split(',').map((cell, i) => [columns[i], cell])));
  return { header: lines[0], rows };
}

describe('peakprune sensitivity', () => {
  it('writes rows, proposed ratios and the combined model', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const { code, stdout, stderr } = await runCli([
      'sensitivity', '--model', 'model/model.json', '--images', 'images', '--method', 'l1',
      '--ratios', '0,0.5', '--max-drop', '1', '--out', 'all',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    const { header, rows } = await readCsv(path.join(root, 'all', 'sensitivity.csv'));
    expect(header).toBe('layer,ratio,params,flops,top1');
    expect(rows.map((r) => [r.layer, r.ratio])).toEqual([['c1', '0'], ['c1', '0.5'], ['c2', '0'], ['c2', '0.5']]);
    for (const r of rows.filter((r) => r.ratio === '0')) {
      expect(Number(r.params)).toBe(unprunedParams);
      expect(Number(r.top1)).toBe(unprunedTop1);
    }
    for (const r of rows.filter((r) => r.ratio === '0.5')) expect(Number(r.params)).toBeLessThan(unprunedParams);

    // A maximum drop of 1 accepts every ratio, so each layer gets the largest one.
    const json = JSON.parse(await readFile(path.join(root, 'all', 'sensitivity.json'), 'utf8')) as SensitivityResult;
    expect(json.proposedRatios).toEqual({ c1: 0.5, c2: 0.5 });
    expect(json.rows).toHaveLength(4);
    expect(json.unpruned.top1).toBe(unprunedTop1);
    expect(json.settings).toMatchObject({ method: 'l1', ratios: [0, 0.5], maxDrop: 1, calibrationImages: 6, evaluationImages: 6 });

    // round(0.5 · 6) = 3 filters leave each layer in the combined prune.
    const report = JSON.parse(await readFile(path.join(root, 'all', 'proposed', 'report.json'), 'utf8'));
    expect(report.layers.map((layer: { removed: number[] }) => layer.removed.length)).toEqual([3, 3]);
    expect(report.plan.layerRatios).toEqual({ c1: 0.5, c2: 0.5 });
    expect(report.after.params).toBe(json.combined.params);
    expect(json.combined.params).toBeLessThan(Math.min(...json.rows.map((r) => r.params)));
    expect((await stat(path.join(root, 'all', 'proposed', 'model.json'))).isFile()).toBe(true);

    expect(stdout).toMatch(/^top-1 \(%\) +0 +0\.5 +proposed$/m);
    expect(stdout).toMatch(/^c1 +[\d.]+ +[\d.]+ +0\.5$/m);
    expect(stdout).toContain('Combined prune with the proposed ratios: top-1');
    expect(stdout).toContain('Wrote sensitivity.csv (4 rows), sensitivity.json and proposed/ to all');
  });

  it('proposes from the measured drops', async () => {
    const { code } = await runCli([
      'sensitivity', '--model', 'model/model.json', '--images', 'images', '--method', 'l1',
      '--ratios', '0,0.5', '--max-drop', '0', '--bn-images', '0', '--out', 'strict',
    ]);
    expect(code).toBe(0);
    const { rows } = await readCsv(path.join(root, 'strict', 'sensitivity.csv'));
    const json = JSON.parse(await readFile(path.join(root, 'strict', 'sensitivity.json'), 'utf8')) as SensitivityResult;

    // With no allowed drop, a layer keeps ratio 0.5 only if its top-1 did not fall at all.
    for (const layer of ['c1', 'c2']) {
      const half = rows.find((r) => r.layer === layer && r.ratio === '0.5')!;
      expect(json.proposedRatios[layer]).toBe(Number(half.top1) >= unprunedTop1 ? 0.5 : 0);
    }
  });

  it.each([
    [['--ratios', '0.1,0.1'], 'Option --ratios lists 0.1 twice'],
    [['--ratios', '0.1,,0.2'], 'Option --ratios has an empty item'],
    [['--ratios', '1'], 'Option --ratios has the invalid value "1"'],
    [['--max-drop', '2'], 'Option --max-drop has the invalid value "2"'],
  ])('rejects %j', async (extra, message) => {
    const { code, stdout, stderr } = await runCli(['sensitivity', '--images', 'images', '--out', 'bad', ...extra]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
  });

  it('requires --out', async () => {
    const { code, stderr } = await runCli(['sensitivity', '--images', 'images']);
    expect(code).toBe(1);
    expect(stderr).toContain('Option --out is required');
  });
});
