// Fine-tuning of a (pruned) Keras-style model on labelled images, in place.
//
// A custom loop is used instead of model.fit. fit needs a compiled model, and compiling the
// pruned model would replace whatever loss and optimizer it carries. The custom loop also checks
// the abort signal and yields a macrotask between any two batches, so Cancel takes effect
// within one batch. Each step calls optimizer.minimize on the cross-entropy of
// model.apply(x, { training: true }): in tfjs-layers 4.22 that call makes Dropout drop units and
// BatchNormalization normalise with the batch's statistics and update its moving averages.
import * as tf from '@tensorflow/tfjs';

import { recalibrateBatchNorm } from './batchnorm';
import { PeakPruneError, throwIfCancelled } from './errors';
import { evaluateTop1 } from './metrics';
import { mulberry32 } from './random';
import type { JobOptions, SampleSet } from './types';

export type FineTuneOptimizer = 'adam' | 'sgd' | 'momentum';

/** Settings of one fine-tuning run; also written to report.json. */
export interface FineTuneSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: FineTuneOptimizer;
  /** Fraction of the training images held out for early stopping, in [0, 1). 0 turns early stopping off. */
  validationFraction: number;
  /** Epochs without a better held-out accuracy after which training stops. */
  patience: number;
  /** Seed of the held-out split and of the batch order. */
  seed: number;
  /**
   * Training images (held-out ones excluded) on which the BatchNormalization moving statistics
   * are re-estimated after every epoch, before the held-out check; 0 or absent keeps the moving
   * averages that training updated.
   */
  recalibrationImages?: number;
}

export const DEFAULT_FINE_TUNE_SETTINGS: FineTuneSettings = {
  epochs: 1,
  batchSize: 32,
  learningRate: 1e-3,
  optimizer: 'adam',
  validationFraction: 0.1,
  patience: 2,
  seed: 0,
};

export interface BatchMetrics {
  epoch: number;
  /** Batch index within the epoch, from 0. */
  batch: number;
  /** Steps taken so far in the whole run, from 1. */
  step: number;
  /** Mean cross-entropy of the batch in training mode. */
  loss: number;
}

export interface EpochMetrics {
  /** Epoch number, from 1. */
  epoch: number;
  /** Mean training-mode cross-entropy over the epoch's batches, weighted by batch size. */
  trainLoss: number;
  /** Top-1 on the held-out images in inference mode; null when nothing is held out. */
  heldOutAccuracy: number | null;
}

export interface FineTuneResult {
  settings: FineTuneSettings;
  epochsRun: number;
  /** Held-out top-1 before the first step; null when nothing is held out. */
  initialHeldOutAccuracy: number | null;
  /** Epoch whose weights the model ends with; 0 means the weights from before training. */
  bestEpoch: number;
  stoppedEarly: boolean;
  trainImages: number;
  heldOutImages: number;
  history: EpochMetrics[];
}

/** A fine-tuning run as written to report.json. */
export interface FineTuneReport extends FineTuneResult {
  /** Top-1 on the evaluation images before and after fine-tuning, in [0, 1]. */
  top1Before: number | null;
  top1After: number;
}

export type FineTuneOptions = FineTuneSettings &
  JobOptions & {
    onEpoch?(metrics: EpochMetrics): void;
    onBatch?(metrics: BatchMetrics): void;
  };

/**
 * Trains `model` in place on `train` and returns the per-epoch history. When images are held
 * out, the model ends with the weights (moving statistics included) of the epoch with the best
 * held-out accuracy, which may be the weights from before training. Reports progress in phase
 * 'fine-tune'. Throws `cancelled` between batches when the signal aborts. The weights are then
 * those of the last finished step, so a caller that wants the old ones keeps its own copy.
 */
export async function fineTune(model: tf.LayersModel, train: SampleSet, options: FineTuneOptions): Promise<FineTuneResult> {
  validateFineTuneSettings(options);
  checkTrainable(model);
  const split = splitHeldOut(train, options.validationFraction, options.seed);
  const result: FineTuneResult = {
    settings: pickSettings(options),
    epochsRun: 0,
    initialHeldOutAccuracy: null,
    bestEpoch: 0,
    stoppedEarly: false,
    trainImages: split.train.labels.length,
    heldOutImages: split.heldOut?.labels.length ?? 0,
    history: [],
  };
  if (options.epochs === 0) return result;

  const optimizer = createOptimizer(options.optimizer, options.learningRate);
  const best = new BestWeights();
  try {
    if (split.heldOut !== undefined) {
      result.initialHeldOutAccuracy = await heldOutAccuracy(model, split.heldOut, options);
      best.offer(model, result.initialHeldOutAccuracy, 0);
    }
    await runEpochs(model, split, optimizer, options, result, best);
    if (best.weights !== undefined) {
      model.setWeights(best.weights);
      result.bestEpoch = best.epoch;
    } else {
      result.bestEpoch = result.epochsRun;
    }
    return result;
  } finally {
    best.dispose();
    disposeOptimizer(optimizer);
  }
}

async function runEpochs(
  model: tf.LayersModel,
  split: { train: SampleSet; heldOut?: SampleSet },
  optimizer: tf.Optimizer,
  options: FineTuneOptions,
  result: FineTuneResult,
  best: BestWeights,
): Promise<void> {
  const random = mulberry32(options.seed + 1);
  const trainCount = split.train.labels.length;
  const stepsPerEpoch = Math.ceil(trainCount / options.batchSize);
  const totalSteps = stepsPerEpoch * options.epochs;
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const usesProbabilities = outputsProbabilities(model);
  let step = 0;

  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const order = shuffledIndices(trainCount, random);
    let lossSum = 0;
    for (let batch = 0; batch < stepsPerEpoch; batch++) {
      throwIfCancelled(options.signal);
      const indices = order.subarray(batch * options.batchSize, (batch + 1) * options.batchSize);
      const loss = trainStep(model, split.train, indices, optimizer, variables, usesProbabilities);
      lossSum += loss * indices.length;
      step++;
      options.onBatch?.({ epoch, batch, step, loss });
      options.onProgress?.({ phase: 'fine-tune', done: step / totalSteps, detail: `epoch ${epoch} of ${options.epochs}` });
      await nextMacrotask();
    }

    if ((options.recalibrationImages ?? 0) > 0) {
      // At the default BatchNormalization momentum of 0.99 (Keras and tfjs-layers 4.22), a few
      // dozen steps move the moving averages only part of the way, so they no longer match the weights.
      await recalibrateBatchNorm(model, split.train, {
        maxImages: options.recalibrationImages,
        batchSize: Math.max(options.batchSize, 64),
        signal: options.signal,
      });
    }
    const accuracy = split.heldOut === undefined ? null : await heldOutAccuracy(model, split.heldOut, options);
    const metrics: EpochMetrics = { epoch, trainLoss: lossSum / trainCount, heldOutAccuracy: accuracy };
    result.history.push(metrics);
    result.epochsRun = epoch;
    options.onEpoch?.(metrics);
    if (accuracy !== null && !best.offer(model, accuracy, epoch) && epoch - best.epoch >= options.patience) {
      result.stoppedEarly = epoch < options.epochs;
      return;
    }
  }
}

/** Takes one optimizer step on the given images and returns the batch's mean loss. */
function trainStep(
  model: tf.LayersModel,
  samples: SampleSet,
  indices: Int32Array,
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  usesProbabilities: boolean,
): number {
  const [height, width, channels] = samples.shape;
  const imageSize = height * width * channels;
  const pixels = new Float32Array(indices.length * imageSize);
  const labels = new Int32Array(indices.length);
  indices.forEach((index, row) => {
    pixels.set(samples.pixels.subarray(index * imageSize, (index + 1) * imageSize), row * imageSize);
    labels[row] = samples.labels[index];
  });

  return tf.tidy(() => {
    const x = tf.tensor4d(pixels, [indices.length, height, width, channels]);
    const cost = optimizer.minimize(
      () => {
        const output = model.apply(x, { training: true });
        const scores = (Array.isArray(output) ? output[output.length - 1] : output) as tf.Tensor;
        const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), scores.shape[scores.shape.length - 1] ?? 0);
        return crossEntropy(oneHot, scores, usesProbabilities);
      },
      true,
      variables,
    );
    if (cost === null) throw new PeakPruneError('internal', 'The optimizer returned no loss for a fine-tuning step.');
    return cost.dataSync()[0];
  });
}

/** Mean cross-entropy; `scores` are softmax probabilities or, otherwise, logits. */
function crossEntropy(oneHot: tf.Tensor, scores: tf.Tensor, usesProbabilities: boolean): tf.Scalar {
  if (!usesProbabilities) return tf.losses.softmaxCrossEntropy(oneHot, scores) as tf.Scalar;
  const clipped = tf.clipByValue(scores, 1e-7, 1 - 1e-7);
  return tf.mean(tf.neg(tf.sum(tf.mul(oneHot, tf.log(clipped)), -1)));
}

/** Checks whether the model's last layer ends in a softmax, so its output is probabilities, not logits. */
function outputsProbabilities(model: tf.LayersModel): boolean {
  const last = model.layers[model.layers.length - 1];
  if (last.getClassName() === 'Softmax') return true;
  const activation = (last.getConfig() as { activation?: unknown }).activation;
  return activation === 'softmax';
}

/** Snapshot of the weights with the best held-out accuracy so far; the first of equal scores wins. */
class BestWeights {
  weights?: tf.Tensor[];
  epoch = 0;
  private accuracy = -Infinity;

  /** Keeps a copy of the model's weights when `accuracy` is better; returns whether it was. */
  offer(model: tf.LayersModel, accuracy: number, epoch: number): boolean {
    if (accuracy <= this.accuracy) return false;
    this.dispose();
    this.weights = model.getWeights().map((weight) => tf.clone(weight));
    this.accuracy = accuracy;
    this.epoch = epoch;
    return true;
  }

  dispose(): void {
    this.weights?.forEach((weight) => weight.dispose());
    this.weights = undefined;
  }
}

async function heldOutAccuracy(model: tf.LayersModel, heldOut: SampleSet, options: FineTuneOptions): Promise<number> {
  const evaluation = await evaluateTop1(model, heldOut, { batchSize: Math.max(options.batchSize, 64), signal: options.signal });
  return evaluation.top1;
}

/**
 * Throws `invalid-model` for a BatchNormalization layer without scale or without center:
 * tfjs-layers 4.22 reads gamma and beta unconditionally in training mode, so such a layer fails
 * with a TypeError on the first step.
 */
function checkTrainable(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const config = layer.getConfig() as { scale?: boolean; center?: boolean };
    if (config.scale === false || config.center === false) {
      throw new PeakPruneError(
        'invalid-model',
        `BatchNormalization layer "${layer.name}" has scale or center turned off, which TensorFlow.js 4.22 cannot train; ` +
          'fine-tune a model whose BatchNormalization layers keep both.',
      );
    }
  }
}

/** Splits off a seeded random `fraction` of the images (at least one when the fraction is above 0). */
export function splitHeldOut(samples: SampleSet, fraction: number, seed: number): { train: SampleSet; heldOut?: SampleSet } {
  const total = samples.labels.length;
  if (fraction === 0) return { train: samples };
  const heldOutCount = Math.max(1, Math.round(total * fraction));
  if (heldOutCount >= total) {
    throw new PeakPruneError('invalid-options', `A held-out fraction of ${fraction} leaves no training images out of ${total}; lower it.`);
  }
  const order = shuffledIndices(total, mulberry32(seed));
  return {
    heldOut: subset(samples, order.subarray(0, heldOutCount)),
    train: subset(samples, order.subarray(heldOutCount)),
  };
}

function subset(samples: SampleSet, indices: Int32Array): SampleSet {
  const imageSize = samples.shape[0] * samples.shape[1] * samples.shape[2];
  const pixels = new Float32Array(indices.length * imageSize);
  const labels = new Int32Array(indices.length);
  indices.forEach((index, row) => {
    pixels.set(samples.pixels.subarray(index * imageSize, (index + 1) * imageSize), row * imageSize);
    labels[row] = samples.labels[index];
  });
  return { pixels, labels, shape: samples.shape, classNames: samples.classNames };
}

/** Fisher–Yates shuffle of 0 … n−1. */
function shuffledIndices(n: number, random: () => number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

function createOptimizer(kind: FineTuneOptimizer, learningRate: number): tf.Optimizer {
  if (kind === 'adam') return tf.train.adam(learningRate);
  if (kind === 'momentum') return tf.train.momentum(learningRate, 0.9);
  return tf.train.sgd(learningRate);
}

/**
 * Disposes the optimizer's variables. tfjs 4.22's MomentumOptimizer.dispose does not dispose the
 * learning-rate scalar `c` that its SGD parent keeps, so that one is disposed here.
 */
function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  if (optimizer instanceof tf.MomentumOptimizer) {
    const rate = (optimizer as unknown as { c?: tf.Tensor }).c;
    if (rate !== undefined && !rate.isDisposed) rate.dispose();
  }
}

function pickSettings(options: FineTuneSettings): FineTuneSettings {
  const { epochs, batchSize, learningRate, optimizer, validationFraction, patience, seed, recalibrationImages } = options;
  const settings: FineTuneSettings = { epochs, batchSize, learningRate, optimizer, validationFraction, patience, seed };
  return recalibrationImages === undefined ? settings : { ...settings, recalibrationImages };
}

/** Checks every setting's range. Throws `invalid-options` naming the setting and the allowed values. */
export function validateFineTuneSettings(options: FineTuneSettings): void {
  const fail = (message: string): never => {
    throw new PeakPruneError('invalid-options', message);
  };
  if (!Number.isInteger(options.epochs) || options.epochs < 0) fail(`Epochs ${options.epochs} is invalid; use a whole number ≥ 0.`);
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) fail(`Batch size ${options.batchSize} is invalid; use a whole number ≥ 1.`);
  if (!(options.learningRate > 0) || !Number.isFinite(options.learningRate)) fail(`Learning rate ${options.learningRate} is invalid; use a number above 0.`);
  if (!['adam', 'sgd', 'momentum'].includes(options.optimizer)) fail(`Optimizer "${options.optimizer}" is unknown; use adam, sgd or momentum.`);
  if (!(options.validationFraction >= 0 && options.validationFraction < 1)) {
    fail(`Held-out fraction ${options.validationFraction} is invalid; use a number in [0, 1).`);
  }
  if (!Number.isInteger(options.patience) || options.patience < 1) fail(`Patience ${options.patience} is invalid; use a whole number ≥ 1.`);
  const recalibration = options.recalibrationImages;
  if (recalibration !== undefined && (!Number.isInteger(recalibration) || recalibration < 0)) {
    fail(`BatchNormalization images ${recalibration} is invalid; use a whole number ≥ 0.`);
  }
}

function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
