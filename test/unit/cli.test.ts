import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readImageFolder, selectSamples, stratifiedSplit } from '../../src/cli/images';
import { main, type CliIO } from '../../src/cli/main';
import { artifactsToFiles, saveToArtifacts } from '../../src/core/model-io';
import type { PruneReport } from '../../src/core/report';
import { seedWeights } from './helpers/tiny-models';
import { writeImageFolder } from './helpers/cli-fixture';

const REPO = path.resolve(__dirname, '../..');
const SIZE = 8;

/** input 8×8×1 → conv "c1" (8 filters) → conv "c2" (8 filters) → max pool → flatten → dense "out" (2). */
function buildTinyModel(): tf.LayersModel {
  const model = tf.sequential({ name: 'tiny_cli' });
  model.add(tf.layers.conv2d({ name: 'c1', inputShape: [SIZE, SIZE, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.conv2d({ name: 'c2', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ name: 'pool', poolSize: 2 }));
  model.add(tf.layers.flatten({ name: 'flat' }));
  model.add(tf.layers.dense({ name: 'out', units: 2, activation: 'softmax' }));
  seedWeights(model, 17);
  return model;
}

async function saveModel(model: tf.LayersModel, dir: string): Promise<string> {
  const files = artifactsToFiles(await saveToArtifacts(model), 'model');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'model.json'), files.modelJson);
  await writeFile(path.join(dir, files.weightsFileName), files.weights);
  return path.join(dir, 'model.json');
}


/** Loads a model from files read here, independently of the tool's own loaders. */
async function loadWrittenModel(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const weights = await readFile(path.join(dir, json.weightsManifest[0].paths[0]));
  return tf.loadLayersModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  });
}

let root: string;
let modelFile: string;
let originalParams: number;

async function runCli(args: string[], showProgress = false) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    showProgress,
    cwd: root,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** Runs scripts/peakprune.mjs in a child process, as `npx peakprune` would. */
async function runBin(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', ['scripts/peakprune.mjs', ...args], { cwd: REPO });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(path.join(tmpdir(), 'peakprune-cli-'));
  const model = buildTinyModel();
  originalParams = model.countParams();
  modelFile = await saveModel(model, path.join(root, 'model'));
  model.dispose();

  await writeImageFolder(path.join(root, 'images'), 5);
  await writeFile(path.join(root, 'images', 'light', 'corrupt.png'), 'this is not a PNG');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('peakprune inspect', () => {
  it('prints the layers as JSON', async () => {
    const { code, stdout, stderr } = await runCli(['inspect', '--model', 'model/model.json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const output = JSON.parse(stdout);
    expect(output.model).toBe('tiny_cli');
    expect(output.file).toBe(path.join('model', 'model.json'));
    expect(output.inputShape).toEqual([SIZE, SIZE, 1]);
    expect(output.outputShape).toEqual([2]);
    expect(output.metrics.params).toBe(originalParams);
    const byName = Object.fromEntries(output.layers.map((layer: { name: string }) => [layer.name, layer]));
    expect(byName.c1).toMatchObject({ className: 'Conv2D', outputShape: [SIZE, SIZE, 8], params: 3 * 3 * 8 + 8, prunable: true });
    expect(byName.c2.prunable).toBe(true);
    expect(byName.out).toMatchObject({ className: 'Dense', prunable: false });
  });

  it('runs as a subprocess through the bin', async () => {
    const { code, stdout } = await runBin(['inspect', '--model', modelFile]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).metrics.params).toBe(originalParams);
  });

  it('exits 1 with one line from the bin', async () => {
    const missing = path.join(root, 'absent', 'model.json');
    const { code, stdout, stderr } = await runBin(['inspect', '--model', missing]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain(missing);
  });
});

describe('peakprune prune', () => {
  it('writes a smaller model and its report', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const { code, stdout, stderr } = await runCli([
      'prune', '--model', 'model/model.json', '--images', 'images', '--method', 'dpc-apoz', '--ratio', '0.5', '--out', 'out-dpc',
    ]);
    expect(code).toBe(0);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const corrupt = path.join('images', 'light', 'corrupt.png');
    expect(stderr).toBe(`peakprune: skipped ${corrupt}: cannot be decoded (neither a PNG nor a JPEG signature)\n`);
    expect(stdout).toMatch(/^Pruned model\/model\.json with dpc-apoz at ratio 0\.5 \(6 calibration images, 6 evaluation images\)/);
    expect(stdout).toMatch(/^c1 +8 /m);
    expect(stdout).toMatch(/^before +\d/m);
    expect(stdout).toContain('Wrote model.json, model.weights.bin, report.json to out-dpc');

    const report = JSON.parse(await readFile(path.join(root, 'out-dpc', 'report.json'), 'utf8')) as PruneReport;
    const reloaded = await loadWrittenModel(path.join(root, 'out-dpc'));
    try {
      expect(report.before.params).toBe(originalParams);
      expect(report.after.params).toBe(reloaded.countParams());
      expect(report.after.params).toBeLessThan(report.before.params);
      expect(report.after.flops).toBeLessThan(report.before.flops);
      expect(report.calibrationImages).toBe(6);
      expect(report.evaluationImages).toBe(6);
      expect(report.plan).toMatchObject({ method: 'dpc-apoz', ratio: 0.5, minChannels: 1 });
      expect(report.layers.map((layer) => layer.name)).toEqual(['c1', 'c2']);

      for (const layer of report.layers) {
        expect(layer.apoz).toHaveLength(8);
        expect(layer.centers).toHaveLength(layer.clusters);
        expect(layer.kept).toBe(layer.filters - layer.removed.length);
        // round(0.5 · 8) = 4 removals, but every cluster keeps at least one member.
        expect(layer.removed.length).toBe(Math.min(4, layer.filters - layer.clusters));
        const kernel = reloaded.getLayer(layer.name).getWeights()[0];
        expect(kernel.shape[3]).toBe(layer.kept);

        // Inside a cluster, no kept filter has a higher APoZ than a removed one.
        expect(layer.apozApplies).toBe(true);
        for (const removed of layer.removed) {
          for (let kept = 0; kept < layer.filters; kept++) {
            if (layer.removed.includes(kept) || layer.labels[kept] !== layer.labels[removed]) continue;
            expect(layer.apoz[removed]).toBeGreaterThanOrEqual(layer.apoz[kept]);
          }
        }
      }
    } finally {
      reloaded.dispose();
    }
  });

  it('measures top-1 on the evaluation split', async () => {
    const report = JSON.parse(await readFile(path.join(root, 'out-dpc', 'report.json'), 'utf8')) as PruneReport;
    // Recompute the evaluation split and the original model's accuracy outside the tool.
    const { samples } = await readImageFolder(path.join(root, 'images'), { channels: 1, height: SIZE, width: SIZE, scale: 'divide-255' });
    const evaluation = selectSamples(samples, stratifiedSplit(samples.labels, 0.5, 0).rest);
    const model = await loadWrittenModel(path.join(root, 'model'));
    const predicted = tf.tidy(() =>
      (model.predict(tf.tensor4d(evaluation.pixels, [6, SIZE, SIZE, 1])) as tf.Tensor).argMax(-1).dataSync(),
    );
    model.dispose();
    const correct = Array.from(predicted).filter((label, i) => label === evaluation.labels[i]).length;
    expect(report.before.top1).toBeCloseTo(correct / 6, 6);
  });

  it('removes exactly the ratio with l1', async () => {
    const { code, stdout, stderr } = await runCli(
      ['prune', '--model', 'model/model.json', '--images', 'images', '--method', 'l1', '--ratio', '0.25'].concat(
        ['--out', 'out-l1', '--limit', '4'],
      ),
      true,
    );
    expect(code).toBe(0);
    expect(stdout).not.toContain('\r');
    expect(stderr).toContain('\r');
    const report = JSON.parse(await readFile(path.join(root, 'out-l1', 'report.json'), 'utf8')) as PruneReport;
    expect(report.layers.map((layer) => layer.removed.length)).toEqual([2, 2]);
    expect(report.calibrationImages).toBe(4);
    expect(report.evaluationImages).toBe(4);
    // The two smallest L1 norms of each layer are the ones removed.
    for (const layer of report.layers) {
      const smallest = layer.l1
        .map((norm, index) => ({ norm, index }))
        .sort((a, b) => a.norm - b.norm)
        .slice(0, 2)
        .map((entry) => entry.index)
        .sort((a, b) => a - b);
      expect(layer.removed).toEqual(smallest);
    }
  });

  it('asks for a cluster count', async () => {
    const { code } = await runCli(
      ['prune', '--model', 'model/model.json', '--images', 'images', '--ratio', '0.25', '--clusters', '3'].concat(
        ['--out', 'out-k3', '--limit', '4'],
      ),
    );
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(path.join(root, 'out-k3', 'report.json'), 'utf8')) as PruneReport;
    for (const layer of report.layers) {
      expect(layer.clusters).toBe(Math.min(3, layer.filters));
      expect(new Set(layer.labels).size).toBe(layer.clusters);
    }
  });

  it('prints help', async () => {
    const { code, stdout } = await runCli(['prune', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: peakprune prune/);
  });
});

describe('bad input', () => {
  beforeAll(async () => {
    await mkdir(path.join(root, 'bad-json'));
    await writeFile(path.join(root, 'bad-json', 'model.json'), '{"modelTopology": ');
    await mkdir(path.join(root, 'no-shard'));
    await writeFile(path.join(root, 'no-shard', 'model.json'), await readFile(modelFile));
    await mkdir(path.join(root, 'flat'));
    await writeFile(path.join(root, 'flat', 'a.png'), 'x');
    await mkdir(path.join(root, 'unreadable', 'cat'), { recursive: true });
    await writeFile(path.join(root, 'unreadable', 'cat', 'a.png'), 'x');
    const headless = tf.sequential({ name: 'conv_output' });
    headless.add(tf.layers.conv2d({ name: 'last', inputShape: [SIZE, SIZE, 1], filters: 2, kernelSize: 3, activation: 'relu' }));
    headless.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
    await saveModel(headless, path.join(root, 'no-prunable'));
    headless.dispose();
    for (const name of ['a', 'b', 'c']) {
      await mkdir(path.join(root, 'three', name), { recursive: true });
      const png = new PNG({ width: SIZE, height: SIZE });
      await writeFile(path.join(root, 'three', name, '0.png'), PNG.sync.write(png));
    }
  });

  const prune = (...extra: string[]) => ['prune', '--model', 'model/model.json', '--ratio', '0.5', '--out', 'out-bad', ...extra];
  const cases: [string, string[], (root: string) => string][] = [
    ['missing model file', ['inspect', '--model', 'absent/model.json'], (r) => path.join(r, 'absent', 'model.json')],
    ['invalid model JSON', ['inspect', '--model', 'bad-json/model.json'], (r) => path.join(r, 'bad-json', 'model.json')],
    ['missing weight shard', ['inspect', '--model', 'no-shard/model.json'], (r) => path.join(r, 'no-shard', 'model.weights.bin')],
    ['missing images folder', prune('--images', 'nowhere'), (r) => path.join(r, 'nowhere')],
    ['folder without classes', prune('--images', 'flat'), (r) => `${path.join(r, 'flat')} has no class subfolders`],
    ['folder without images', prune('--images', 'unreadable'), (r) => path.join(r, 'unreadable')],
    ['more classes than outputs', prune('--images', 'three'), () => 'Images folder three has 3 classes, but the model has only 2 outputs'],
    ['shipped images wrong size', prune(), () => 'the model expects 8×8×1; pass your own images with --images DIR'],
    [
      'no prunable convolution',
      ['prune', '--model', 'no-prunable/model.json', '--images', 'images', '--ratio', '0.5', '--out', 'out-bad'],
      () => `${path.join('no-prunable', 'model.json')}: no convolution can be pruned. Layer "last" cannot because`,
    ],
    [
      'output over the input',
      ['prune', '--model', 'model/model.json', '--ratio', '0.5', '--out', 'model'],
      () => 'Option --out model is the folder of the input model',
    ],
    ['ratio out of range', prune('--ratio', '1'), () => 'Option --ratio has the invalid value "1"'],
    ['unknown method', prune('--method', 'magnitude'), () => 'Option --method has the unknown value "magnitude"'],
    ['unknown option', prune('--frobnicate'), () => 'Unknown option --frobnicate'],
    ['missing value', ['prune', '--ratio'], () => 'Option --ratio needs a value'],
    ['missing --out', ['prune', '--ratio', '0.5'], () => 'Option --out is required'],
    ['unknown command', ['shrink'], () => 'unknown command "shrink"'],
  ];

  it.each(cases)('%s exits 1 with one line', async (_, args, expected) => {
    const { code, stdout, stderr } = await runCli(args);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.endsWith('\n')).toBe(true);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain(expected(root));
  });

  it('hides the stack of an unexpected error', async () => {
    const failing = (verbose: boolean) => {
      let stderr = '';
      const io: CliIO = {
        stdout: () => {
          throw new Error('stdout closed');
        },
        stderr: (text) => (stderr += text),
        showProgress: false,
        cwd: root,
      };
      return main(['inspect', '--help', ...(verbose ? ['--verbose'] : [])], io).then((code) => ({ code, stderr }));
    };
    const quiet = await failing(false);
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toBe('peakprune: unexpected error: stdout closed (run again with --verbose for the stack trace)\n');
    const verbose = await failing(true);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/stdout closed\n\s+at /);
  });
});
