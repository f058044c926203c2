// Node-side checks of a model the page downloaded, on tfjs's cpu backend.
import * as tf from '@tensorflow/tfjs';

import type { SampleSet } from '../../src/core/types';

/** Filter indices in [0, filters) that are not in `removed`, ascending. */
export function keptIndices(filters: number, removed: readonly number[]): number[] {
  const gone = new Set(removed);
  return Array.from({ length: filters }, (_, i) => i).filter((i) => !gone.has(i));
}

/**
 * Compares every weight of a pruned Sequential chain with the original, bit for bit. Convs must
 * be restricted to the kept input and output channels and BatchNormalization vectors to the kept
 * channels. The first Dense layer after the convs must keep the rows of kept channels, in the
 * channels-last order of Flatten, and every other weight must be unchanged. `removedByConv`
 * names each conv's removed filters. Returns one description per differing layer, or [].
 */
export function prunedWeightsMismatches(
  original: tf.LayersModel,
  pruned: tf.LayersModel,
  removedByConv: ReadonlyMap<string, readonly number[]>,
  recalibrated: ReadonlySet<string> = new Set(),
): string[] {
  const mismatches: string[] = [];
  // Channels of the tensor flowing between layers: all of them (undefined) or the kept ones.
  let kept: number[] | undefined;
  for (const layer of original.layers) {
    const prunedLayer = pruned.getLayer(layer.name);
    const weights = layer.getWeights();
    const prunedWeights = prunedLayer.getWeights();
    let mismatch: string | undefined;
    switch (layer.getClassName()) {
      case 'Conv2D': {
        const [, , inputs, filters] = weights[0].shape;
        const keptOut = keptIndices(filters, removedByConv.get(layer.name) ?? []);
        mismatch = compareSlices(layer.name, weights, prunedWeights, [kept ?? keptIndices(inputs, []), keptOut]);
        kept = keptOut;
        break;
      }
      case 'BatchNormalization': {
        // Re-estimated layers keep gamma and beta; their moving mean and variance (the last two
        // arrays) are new values, so only their length is checked.
        const compared = recalibrated.has(layer.name) ? -2 : undefined;
        const [source, result] = [weights.slice(0, compared), prunedWeights.slice(0, compared)];
        mismatch = kept === undefined ? compareWhole(layer.name, source, result) : compareVectors(layer.name, source, result, kept);
        const channels = kept?.length ?? weights[0].shape[0];
        if (mismatch === undefined && prunedWeights.some((w) => w.shape[0] !== channels)) {
          mismatch = `${layer.name}: expected ${channels} channels in every array`;
        }
        break;
      }
      case 'Dense':
        mismatch = kept === undefined ? compareWhole(layer.name, weights, prunedWeights) : compareDenseRows(layer.name, weights, prunedWeights, kept);
        kept = undefined;
        break;
      default:
        mismatch = compareWhole(layer.name, weights, prunedWeights);
    }
    if (mismatch !== undefined) mismatches.push(mismatch);
  }
  return mismatches;
}

/** Conv kernel [kh, kw, cin, cout] restricted to keptIn × keptOut, and the bias to keptOut. */
function compareSlices(name: string, weights: tf.Tensor[], pruned: tf.Tensor[], [keptIn, keptOut]: [number[], number[]]): string | undefined {
  const [kh, kw, cin, cout] = weights[0].shape;
  const expectedShape = [kh, kw, keptIn.length, keptOut.length];
  if (pruned[0].shape.join() !== expectedShape.join()) {
    return `${name}: kernel shape is [${pruned[0].shape.join(', ')}], expected [${expectedShape.join(', ')}]`;
  }
  const source = weights[0].dataSync();
  const sliced = pruned[0].dataSync();
  for (let position = 0; position < kh * kw; position++) {
    for (let i = 0; i < keptIn.length; i++) {
      for (let o = 0; o < keptOut.length; o++) {
        const expected = source[(position * cin + keptIn[i]) * cout + keptOut[o]];
        const actual = sliced[(position * keptIn.length + i) * keptOut.length + o];
        if (actual !== expected) {
          return `${name}: kernel at position ${position}, input ${i}, output ${o} is ${actual}, but the original at input ${keptIn[i]}, output ${keptOut[o]} is ${expected}`;
        }
      }
    }
  }
  return weights.length > 1 ? compareVectors(name, weights.slice(1), pruned.slice(1), keptOut) : undefined;
}

/** One-dimensional weights (bias, BatchNormalization's gamma, beta, mean and variance) restricted to `kept`. */
function compareVectors(name: string, weights: tf.Tensor[], pruned: tf.Tensor[], kept: readonly number[]): string | undefined {
  if (pruned.length !== weights.length) return `${name}: ${pruned.length} weights, the original has ${weights.length}`;
  for (let w = 0; w < weights.length; w++) {
    const source = weights[w].dataSync();
    const sliced = pruned[w].dataSync();
    if (sliced.length !== kept.length) return `${name}: weight ${w} has ${sliced.length} values, expected ${kept.length}`;
    for (let i = 0; i < kept.length; i++) {
      if (sliced[i] !== source[kept[i]]) return `${name}: weight ${w}[${i}] is ${sliced[i]}, but the original [${kept[i]}] is ${source[kept[i]]}`;
    }
  }
  return undefined;
}

/** Dense kernel rows of the kept channels at every flattened position. The bias must be unchanged. */
function compareDenseRows(name: string, weights: tf.Tensor[], pruned: tf.Tensor[], kept: readonly number[]): string | undefined {
  const [rows, units] = weights[0].shape;
  const channels = inferChannels(rows, pruned[0].shape[0], kept.length);
  if (channels === undefined) return `${name}: ${pruned[0].shape[0]} input rows do not fit ${kept.length} kept channels of ${rows} original rows`;
  const positions = rows / channels;
  const source = weights[0].dataSync();
  const sliced = pruned[0].dataSync();
  for (let p = 0; p < positions; p++) {
    for (let i = 0; i < kept.length; i++) {
      for (let u = 0; u < units; u++) {
        const expected = source[(p * channels + kept[i]) * units + u];
        const actual = sliced[(p * kept.length + i) * units + u];
        if (actual !== expected) return `${name}: kernel row ${p * kept.length + i}, unit ${u} is ${actual}, but the original row ${p * channels + kept[i]} is ${expected}`;
      }
    }
  }
  return compareWhole(name, weights.slice(1), pruned.slice(1));
}

/** Channels before pruning, from the row counts: rows / positions, where positions = prunedRows / kept. */
function inferChannels(rows: number, prunedRows: number, kept: number): number | undefined {
  if (prunedRows % kept !== 0) return undefined;
  const positions = prunedRows / kept;
  return rows % positions === 0 ? rows / positions : undefined;
}

function compareWhole(name: string, weights: tf.Tensor[], pruned: tf.Tensor[]): string | undefined {
  if (pruned.length !== weights.length) return `${name}: ${pruned.length} weights, the original has ${weights.length}`;
  for (let w = 0; w < weights.length; w++) {
    const source = weights[w].dataSync();
    const copy = pruned[w].dataSync();
    if (copy.length !== source.length || copy.some((value, i) => value !== source[i])) return `${name}: weight ${w} differs from the original`;
  }
  return undefined;
}

export interface PredictionSummary {
  top1: number;
  /** Largest |Σ p − 1| over the images. */
  maxSumError: number;
  minProbability: number;
  maxProbability: number;
  /** Whether any output was NaN or infinite. */
  nonFinite: boolean;
}

/** Predicts every image of `samples` in one batch and summarises the softmax outputs. */
export function summarizePredictions(model: tf.LayersModel, samples: SampleSet): PredictionSummary {
  const count = samples.labels.length;
  const probabilities = tf.tidy(() => {
    const output = model.predict(tf.tensor4d(samples.pixels, [count, ...samples.shape])) as tf.Tensor2D;
    return output.arraySync();
  });
  let correct = 0;
  let maxSumError = 0;
  let minProbability = Infinity;
  let maxProbability = -Infinity;
  let nonFinite = false;
  probabilities.forEach((row, i) => {
    let sum = 0;
    let best = 0;
    row.forEach((p, k) => {
      if (!Number.isFinite(p)) nonFinite = true;
      sum += p;
      minProbability = Math.min(minProbability, p);
      maxProbability = Math.max(maxProbability, p);
      if (p > row[best]) best = k;
    });
    maxSumError = Math.max(maxSumError, Math.abs(sum - 1));
    if (best === samples.labels[i]) correct++;
  });
  return { top1: correct / count, maxSumError, minProbability, maxProbability, nonFinite };
}
