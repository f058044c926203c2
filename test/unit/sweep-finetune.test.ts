// The sweep's optional fine-tuning: rows at ratio 0 for every method, the fine-tuned rows of
// measureSweepRun on a tiny model, and the --finetune-* options of `peakprune sweep`.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readSweepOptions } from '../../src/cli/commands/sweep';
import type { SweepResult } from '../../src/cli/commands/sweep-output';
import { analyzeModel } from '../../src/core/analyze';
import { PRUNE_METHODS } from '../../src/core/criteria';
import { PeakPruneError } from '../../src/core/errors';
import { recalibrateBatchNorm } from '../../src/core/batchnorm';
import { DEFAULT_FINE_TUNE_SETTINGS, fineTune, type FineTuneSettings } from '../../src/core/finetune';
import { evaluateTop1 } from '../../src/core/metrics';
import { isFineTuned, measureSweepRun, sweepRuns, type SweepContext } from '../../src/core/sweep';
import { DEFAULT_DPC_OPTIONS, type SampleSet } from '../../src/core/types';
import { createCliFixture, type CliFixture } from './helpers/cli-fixture';
import { buildFunctionalChain, chainSamples, seedWeights } from './helpers/tiny-models';

const IMAGE_COUNT = 12;
const ONE_EPOCH: FineTuneSettings = { ...DEFAULT_FINE_TUNE_SETTINGS, epochs: 1, batchSize: 4, validationFraction: 0.25 };

let model: tf.LayersModel;
let samples: SampleSet;
let context: SweepContext;
let unprunedTop1: number;

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = buildFunctionalChain();
  seedWeights(model, 11);
  samples = chainSamples(IMAGE_COUNT);
  const analysis = await analyzeModel(model, samples, { dpc: { ...DEFAULT_DPC_OPTIONS, clusterCount: 2 } });
  context = {
    model,
    layers: analysis.layers,
    geometry: analysis.geometry,
    calibration: samples,
    evaluation: samples,
    minChannels: 1,
    recalibrationImages: IMAGE_COUNT,
    batchSize: 5,
  };
  unprunedTop1 = (await evaluateTop1(model, samples)).top1;
});

afterAll(() => {
  model.dispose();
});

describe('sweep at ratio 0', () => {
  const runs = sweepRuns({ methods: PRUNE_METHODS, ratios: [0], seeds: [0, 1, 2] });

  it('covers every method and random seed', () => {
    expect(runs).toHaveLength(PRUNE_METHODS.length - 1 + 3);
  });

  it.each(runs.map((run) => [`${run.method}${run.seed === null ? '' : ` seed ${run.seed}`}`, run] as const))(
    'gives the unpruned top-1 for %s',
    async (_label, run) => {
      const row = await measureSweepRun(context, run);
      expect(row.filtersRemoved).toBe(0);
      expect(row.top1).toBe(unprunedTop1);
      expect(row.top1Finetuned).toBeNull();
      expect(row.finetuneEpochs).toBe(0);
      expect(row.finetuneBestEpoch).toBeNull();
    },
  );
});

describe('isFineTuned', () => {
  const run = { method: 'l1' as const, seed: null, ratio: 0.5 };

  it('is off without settings or with 0 epochs', () => {
    expect(isFineTuned(undefined, run)).toBe(false);
    expect(isFineTuned({ settings: { ...ONE_EPOCH, epochs: 0 } }, run)).toBe(false);
  });

  it('applies to every ratio without a list', () => {
    expect(isFineTuned({ settings: ONE_EPOCH }, run)).toBe(true);
  });

  it('applies only to listed ratios', () => {
    expect(isFineTuned({ settings: ONE_EPOCH, ratios: [0.5] }, run)).toBe(true);
    expect(isFineTuned({ settings: ONE_EPOCH, ratios: [0.3, 0.7] }, run)).toBe(false);
  });
});

/**
 * input 6×6×3 → conv "c1" (5) → BatchNormalization → ReLU → conv "c2" (4) → BatchNormalization →
 * average pool → flatten → dense (3). Unlike buildFunctionalChain, both BatchNormalization
 * layers keep scale and center, so tfjs can train the model.
 */
function buildTrainableChain(): tf.LayersModel {
  const model = tf.sequential({ name: 'trainable_chain' });
  model.add(tf.layers.conv2d({ inputShape: [6, 6, 3], filters: 5, kernelSize: 3, padding: 'same', name: 'c1' }));
  model.add(tf.layers.batchNormalization({ name: 'bn1' }));
  model.add(tf.layers.reLU({ name: 'relu1' }));
  model.add(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c2' }));
  model.add(tf.layers.batchNormalization({ name: 'bn2' }));
  model.add(tf.layers.averagePooling2d({ poolSize: 2, name: 'pool2' }));
  model.add(tf.layers.flatten({ name: 'flat' }));
  model.add(tf.layers.dense({ units: 3, name: 'dense' }));
  seedWeights(model, 13);
  return model;
}

describe('measureSweepRun with fine-tuning', () => {
  let trainable: tf.LayersModel;
  let trainableContext: SweepContext;

  beforeAll(async () => {
    trainable = buildTrainableChain();
    const analysis = await analyzeModel(trainable, samples, { dpc: { ...DEFAULT_DPC_OPTIONS, clusterCount: 2 } });
    trainableContext = { ...context, model: trainable, layers: analysis.layers, geometry: analysis.geometry };
  });

  afterAll(() => {
    trainable.dispose();
  });

  it('adds the fine-tuned top-1 and keeps the first one', async () => {
    const plain = await measureSweepRun(trainableContext, { method: 'l2', seed: null, ratio: 0.5 });
    const weightsBefore = trainable.getWeights().map((weight) => weight.dataSync().slice());
    const tensorsBefore = tf.memory().numTensors;

    const row = await measureSweepRun({ ...trainableContext, fineTune: { settings: ONE_EPOCH } }, { method: 'l2', seed: null, ratio: 0.5 });

    expect(row.top1).toBe(plain.top1);
    expect(row.params).toBe(plain.params);
    expect(row.top1Finetuned).not.toBeNull();
    expect(row.top1Finetuned).toBeGreaterThanOrEqual(0);
    expect(row.top1Finetuned).toBeLessThanOrEqual(1);
    // Top-1 on 12 images is a multiple of 1/12.
    expect(Math.round((row.top1Finetuned ?? 0) * IMAGE_COUNT) / IMAGE_COUNT).toBeCloseTo(row.top1Finetuned ?? -1, 12);
    expect(row.finetuneEpochs).toBe(1);
    expect([0, 1]).toContain(row.finetuneBestEpoch);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    // Fine-tuning trains the pruned copy, never the unpruned model.
    trainable.getWeights().forEach((weight, i) => expect(weight.dataSync()).toEqual(weightsBefore[i]));
  });

  it('skips ratios outside the list', async () => {
    const row = await measureSweepRun({ ...trainableContext, fineTune: { settings: ONE_EPOCH, ratios: [0.3] } }, { method: 'fpgm', seed: null, ratio: 0.5 });
    expect(row.top1Finetuned).toBeNull();
    expect(row.finetuneEpochs).toBe(0);
  });

  it('rejects invalid fine-tuning settings', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const bad = { ...trainableContext, fineTune: { settings: { ...ONE_EPOCH, learningRate: 0 } } };
    await expect(measureSweepRun(bad, { method: 'l1', seed: null, ratio: 0.5 })).rejects.toThrow('Learning rate 0 is invalid');
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('rejects BatchNormalization without scale', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const pending = measureSweepRun({ ...context, fineTune: { settings: ONE_EPOCH } }, { method: 'l1', seed: null, ratio: 0.5 });
    await expect(pending).rejects.toBeInstanceOf(PeakPruneError);
    await expect(pending).rejects.toThrow('BatchNormalization layer "bn1" has scale or center turned off');
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});

describe('fineTune with BatchNormalization re-estimation', () => {
  /** Moving mean and variance of every BatchNormalization layer, flattened. */
  function movingStatistics(target: tf.LayersModel): number[] {
    return target.layers
      .filter((layer) => layer.getClassName() === 'BatchNormalization')
      .flatMap((layer) => layer.weights.filter((weight) => !weight.trainable).flatMap((weight) => [...weight.read().dataSync()]));
  }

  it('ends with the statistics of the trained weights', async () => {
    const target = buildTrainableChain();
    try {
      const settings = { ...ONE_EPOCH, validationFraction: 0, recalibrationImages: IMAGE_COUNT };
      const result = await fineTune(target, samples, settings);
      expect(result.settings.recalibrationImages).toBe(IMAGE_COUNT);
      const after = movingStatistics(target);
      // Re-estimating again with unchanged weights must reproduce the same statistics.
      await recalibrateBatchNorm(target, samples, { maxImages: IMAGE_COUNT });
      const again = movingStatistics(target);
      expect(after.length).toBe(2 * (5 + 4));
      after.forEach((value, i) => expect(value).toBeCloseTo(again[i], 5));
    } finally {
      target.dispose();
    }
  });

  it('keeps the training averages without it', async () => {
    const target = buildTrainableChain();
    try {
      await fineTune(target, samples, { ...ONE_EPOCH, validationFraction: 0 });
      const after = movingStatistics(target);
      await recalibrateBatchNorm(target, samples, { maxImages: IMAGE_COUNT });
      const again = movingStatistics(target);
      // Three steps at momentum 0.99 leave the averages far from the re-estimated statistics.
      expect(after.some((value, i) => Math.abs(value - again[i]) > 1e-3)).toBe(true);
    } finally {
      target.dispose();
    }
  });

  it('rejects a negative image count', async () => {
    const target = buildTrainableChain();
    try {
      await expect(fineTune(target, samples, { ...ONE_EPOCH, recalibrationImages: -1 })).rejects.toThrow('BatchNormalization images -1 is invalid');
    } finally {
      target.dispose();
    }
  });
});

describe('sweep --finetune options', () => {
  const io = { stdout: () => undefined, stderr: () => undefined, showProgress: false, cwd: '/tmp' };
  type Values = Parameters<typeof readSweepOptions>[0];
  const read = (values: Record<string, string>) => readSweepOptions({ out: 'out', ...values } as Values, io);

  it('leaves fine-tuning off by default', () => {
    expect(read({}).fineTune).toBeUndefined();
    expect(read({ 'finetune-epochs': '0' }).fineTune).toBeUndefined();
  });

  it('reads epochs, ratios, batch size and learning rate', () => {
    const options = read({
      ratios: '0,0.3,0.5',
      'finetune-epochs': '2',
      'finetune-ratios': '0.3,0.5',
      'finetune-batch-size': '16',
      'learning-rate': '0.0005',
      seed: '7',
    });
    expect(options.fineTune?.settings).toEqual({ ...DEFAULT_FINE_TUNE_SETTINGS, epochs: 2, batchSize: 16, learningRate: 0.0005, seed: 7 });
    expect(options.fineTune?.ratios).toEqual([0.3, 0.5]);
  });

  it('fine-tunes every ratio without --finetune-ratios', () => {
    expect(read({ ratios: '0,0.5', 'finetune-epochs': '1' }).fineTune?.ratios).toBeUndefined();
  });

  it.each([
    [{ 'finetune-epochs': '-1' }, 'Option --finetune-epochs has the invalid value "-1"'],
    [{ 'finetune-epochs': '1.5' }, 'Option --finetune-epochs has the invalid value "1.5"'],
    [{ 'finetune-epochs': '1', ratios: '0,0.5', 'finetune-ratios': '0.3' }, 'Option --finetune-ratios lists 0.3, which is not one of --ratios'],
    [{ 'finetune-epochs': '1', 'finetune-batch-size': '0' }, 'Option --finetune-batch-size has the invalid value "0"'],
    [{ 'finetune-epochs': '1', 'learning-rate': '0' }, 'Option --learning-rate has the invalid value "0"'],
    [{ 'learning-rate': '0.01' }, 'Option --learning-rate needs --finetune-epochs 1 or more'],
    [{ 'finetune-ratios': '0.3' }, 'Option --finetune-ratios needs --finetune-epochs 1 or more'],
  ])('rejects %j', (values, message) => {
    expect(() => read(values)).toThrow(message);
  });
});

describe('peakprune sweep --finetune-epochs', () => {
  let fixture: CliFixture;

  beforeAll(async () => {
    fixture = await createCliFixture('peakprune-sweep-finetune-', 'tiny_sweep_finetune');
  });

  afterAll(async () => {
    await fixture.remove();
  });

  it('writes fine-tuned cells only for the listed ratios', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const { code, stdout, stderr } = await fixture.runCli([
      'sweep', '--model', 'model/model.json', '--images', 'images', '--methods', 'l1,random', '--seeds', '0,1',
      '--ratios', '0,0.5', '--finetune-epochs', '1', '--finetune-ratios', '0.5', '--finetune-batch-size', '2', '--out', 'tuned',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(stdout).toMatch(/^top-1 fine-tuned \(%\) +0 +0\.5$/m);
    expect(stdout).toContain('Fine-tuned for up to 1 epochs on the calibration images at ratios 0.5.');

    const lines = (await readFile(path.join(fixture.root, 'tuned', 'sweep.csv'), 'utf8')).trimEnd().split('\n');
    const header = lines[0].split(',');
    expect(header.slice(-3)).toEqual(['top1_finetuned', 'finetune_epochs', 'finetune_best_epoch']);
    const rows = lines.slice(1).map((line) => Object.fromEntries(line.split(',').map((cell, i) => [header[i], cell])));
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      if (row.ratio === '0') {
        expect(row.top1_finetuned).toBe('');
        expect(Number(row.top1)).toBe(fixture.unprunedTop1);
      } else {
        expect(Number(row.top1_finetuned)).toBeGreaterThanOrEqual(0);
        expect(Number(row.top1_finetuned)).toBeLessThanOrEqual(1);
        expect(row.finetune_epochs).toBe('1');
      }
    }

    const json = JSON.parse(await readFile(path.join(fixture.root, 'tuned', 'sweep.json'), 'utf8')) as SweepResult;
    expect(json.settings.fineTune).toMatchObject({ epochs: 1, batchSize: 2, ratios: [0.5] });
    expect(json.rows.filter((row) => row.top1Finetuned !== null).map((row) => row.ratio)).toEqual([0.5, 0.5, 0.5]);
  });
});
