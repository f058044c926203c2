// Calibration and evaluation images for `peakprune prune`: an ImageFolder split in two, or the
// shipped sprites, converted to the model's input and optionally cut to a class-balanced subset.
import type * as tf from '@tensorflow/tfjs';

import { PeakPruneError } from '../../core/errors';
import type { SampleSet } from '../../core/types';
import { readImageFolder, readSprite, selectSamples, stratifiedSplit, stratifiedSubset, type ImageFormat } from '../images';
import { DEFAULT_CALIBRATION_SPRITE, DEFAULT_EVALUATION_SPRITE, displayPath, type CliIO } from './io';

export interface ImageOptions {
  /** ImageFolder directory (absolute), or undefined for the shipped sprites. */
  imagesDir?: string;
  calibrationFraction: number;
  seed: number;
  /** Maximum images in each of the two sets. */
  limit?: number;
}

export interface PruneImages {
  calibration: SampleSet;
  evaluation: SampleSet;
}

/** Shows at most this many skipped files on stderr, then a count of the rest. */
const MAX_SKIPPED_LINES = 20;

/**
 * Returns the model's input as an image format. Throws `invalid-model` unless the model has one
 * input of fixed shape [height, width, channels].
 */
export function modelImageFormat(model: tf.LayersModel, modelFile: string): ImageFormat {
  const shape = model.inputs[0].shape.slice(1);
  if (model.inputs.length !== 1 || shape.length !== 3 || shape.some((size) => size === null || size <= 0)) {
    throw new PeakPruneError(
      'invalid-model',
      `${modelFile}: input shape [${shape.join(', ')}] is not one fixed [height, width, channels] image; peakprune needs such a model.`,
    );
  }
  const [height, width, channels] = shape as number[];
  return { height, width, channels, scale: 'divide-255' };
}

/** Reads the images for calibration and evaluation, writing skipped files and warnings to stderr. */
export async function loadPruneImages(format: ImageFormat, classCount: number, options: ImageOptions, io: CliIO): Promise<PruneImages> {
  const images =
    options.imagesDir === undefined
      ? await readShippedSprites(format, classCount, io)
      : await readAndSplitFolder(options.imagesDir, format, classCount, options, io);

  if (options.limit === undefined) return images;
  return {
    calibration: limitSamples(images.calibration, options.limit, options.seed),
    evaluation: limitSamples(images.evaluation, options.limit, options.seed),
  };
}

async function readShippedSprites(format: ImageFormat, classCount: number, io: CliIO): Promise<PruneImages> {
  const calibration = await readSprite(`${DEFAULT_CALIBRATION_SPRITE}.png`, `${DEFAULT_CALIBRATION_SPRITE}.json`);
  const evaluation = await readSprite(`${DEFAULT_EVALUATION_SPRITE}.png`, `${DEFAULT_EVALUATION_SPRITE}.json`);
  const [height, width, channels] = calibration.shape;
  if (height !== format.height || width !== format.width || channels !== format.channels) {
    throw new PeakPruneError(
      'invalid-images',
      `The shipped sample images are ${height}×${width}×${channels}, but the model expects ` +
        `${format.height}×${format.width}×${format.channels}; pass your own images with --images DIR.`,
    );
  }
  checkClassCount(calibration.classNames.length, classCount, 'The shipped sample images', io);
  return { calibration, evaluation };
}

async function readAndSplitFolder(
  dir: string,
  format: ImageFormat,
  classCount: number,
  options: ImageOptions,
  io: CliIO,
): Promise<PruneImages> {
  const { samples, skipped } = await readImageFolder(dir, format);
  skipped.slice(0, MAX_SKIPPED_LINES).forEach(({ file, reason }) => {
    io.stderr(`peakprune: skipped ${displayPath(io, file)}: ${reason}\n`);
  });
  if (skipped.length > MAX_SKIPPED_LINES) {
    io.stderr(`peakprune: skipped ${skipped.length - MAX_SKIPPED_LINES} more files\n`);
  }
  checkClassCount(samples.classNames.length, classCount, `Images folder ${displayPath(io, dir)}`, io);

  const { selected, rest } = stratifiedSplit(samples.labels, options.calibrationFraction, options.seed);
  if (selected.length === 0 || rest.length === 0) {
    const empty = selected.length === 0 ? 'calibration' : 'evaluation';
    throw new PeakPruneError(
      'invalid-images',
      `The ${samples.labels.length} images in ${displayPath(io, dir)} leave the ${empty} set empty at ` +
        `--calibration-fraction ${options.calibrationFraction}; add images or change the fraction.`,
    );
  }
  return { calibration: selectSamples(samples, selected), evaluation: selectSamples(samples, rest) };
}

function checkClassCount(imageClasses: number, modelClasses: number, source: string, io: CliIO): void {
  if (imageClasses > modelClasses) {
    throw new PeakPruneError(
      'invalid-images',
      `${source} has ${imageClasses} classes, but the model has only ${modelClasses} outputs; ` +
        'use one class subfolder per model output.',
    );
  }
  if (imageClasses < modelClasses) {
    io.stderr(
      `peakprune: note: ${source} has ${imageClasses} classes and the model ${modelClasses} outputs; ` +
        'the k-th class in sorted order is scored as output k.\n',
    );
  }
}

function limitSamples(samples: SampleSet, limit: number, seed: number): SampleSet {
  if (samples.labels.length <= limit) return samples;
  return selectSamples(samples, stratifiedSubset(samples.labels, limit, seed));
}
