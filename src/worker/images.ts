// The user's own images: expands zips, works out the labelling, decodes every image in the
// worker, preprocesses it for the loaded model, splits calibration from evaluation images and
// installs both sets.
import { PeakPruneError, throwIfCancelled } from '../core/errors';
import { parseLabelCsv } from '../core/images/csv';
import { mapClasses, parseClassNames, type ClassMapping } from '../core/images/labels';
import { baseName, extensionOf, findSideFiles, planLayout, type ImageLayout, type LabelledPath, type SkippedFile } from '../core/images/layout';
import { normalizePreprocessing, preprocessImage, previewRgba, type Preprocessing } from '../core/images/preprocess';
import { stratifiedSplit, type SplitSettings } from '../core/images/split';
import { unzipWithinLimits } from '../core/images/zip';
import { mulberry32 } from '../core/random';
import type { JobOptions, SampleSet } from '../core/types';
import { checkSamplesFit } from './model';
import { decodeToRgba } from './sprites';
import { clearSamples, replaceSamples, requireModel } from './state';
import type { ModelInfo, SamplesInfo } from './types';

/** One picked file: its path relative to the picked folder (or its name) and its contents. */
export interface ImageFileInput {
  path: string;
  file: Blob;
}

export interface ImageLoadRequest {
  /** Picked files: images, .zip archives of images, a labels CSV, a class-names file. */
  files: ImageFileInput[];
  /** Short description of what was picked, such as "pets/" or "images.zip", for the header. */
  source: string;
  preprocessing: Preprocessing;
  split: SplitSettings;
  /**
   * Names of the model's outputs in index order, when the page has them. A class-names file
   * among the picked files comes first, then these, then the loaded model's own class names.
   */
  modelClassNames?: string[];
}

/** A preprocessed image drawn back as RGBA bytes, with the range of its model input values. */
export interface ImagePreview {
  file: string;
  className?: string;
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
  min: number;
  max: number;
}

export interface ImageLoadSummary {
  layout: ImageLayout;
  source: string;
  /** Number of images decoded and installed. */
  decoded: number;
  /** Files left out: not images, unlabelled, or not decodable. */
  skipped: SkippedFile[];
  /** Class matching; absent for unlabelled images. */
  mapping?: ClassMapping;
  calibration: SamplesInfo;
  /** Absent when the images carry no labels, so accuracy cannot be measured. */
  evaluation?: SamplesInfo;
  previews: ImagePreview[];
  /** Remarks for the user, such as a labels CSV naming files that were not picked. */
  notes: string[];
}

/** Most bytes of preprocessed float32 pixels kept in the worker for both sets together. */
export const MAX_SAMPLE_BYTES = 768 * 1024 ** 2;

/** Number of preprocessed images sent back for the preview. */
const PREVIEW_COUNT = 8;

/**
 * Decodes and installs the user's images for the loaded model. Nothing is replaced unless every
 * step succeeds, so a failure leaves the images loaded before.
 * Throws `invalid-images` when no image can be used, and `invalid-options` for bad settings.
 */
export async function loadImageFiles(request: ImageLoadRequest, job: JobOptions): Promise<ImageLoadSummary> {
  const { info } = requireModel();
  const shape = modelImageShape(info);
  const preprocessing = normalizePreprocessing(request.preprocessing, shape[2]);
  const files = await expandArchives(request.files);
  throwIfCancelled(job.signal);

  const paths = files.map((entry) => entry.path);
  const side = findSideFiles(paths);
  const csvRows = side.csv === undefined ? undefined : parseLabelCsv(await files[side.csv].file.text(), baseName(paths[side.csv]));
  const fileClassNames = side.classNames === undefined ? undefined : parseClassNames(await files[side.classNames].file.text(), baseName(paths[side.classNames]));
  const plan = planLayout(paths, side, csvRows, side.csv === undefined ? undefined : baseName(paths[side.csv]));
  const notes = plan.note === undefined ? [] : [plan.note];
  const mapping = plan.layout === 'unlabelled' ? undefined : mapLabelledClasses(plan.images, info, fileClassNames ?? request.modelClassNames ?? info.classNames);

  const chosen = limitImageCount(plan.images, shape, request.split.seed, notes);
  const decoded = await decodeAll(chosen, files, shape, preprocessing, job);
  const skipped = [...plan.skipped, ...decoded.failed];
  if (decoded.images.length === 0) {
    const first = decoded.failed[0];
    throw new PeakPruneError('invalid-images', `None of the ${chosen.length} images could be decoded (first: ${first.file}, ${first.reason}); pick PNG, JPEG, WebP, GIF or BMP files.`);
  }

  const labels = Int32Array.from(decoded.images, (image) => (mapping === undefined ? -1 : indexOfClass(mapping, image.className)));
  const all: SampleSet = { pixels: joinPixels(decoded.images.map((image) => image.pixels)), shape, labels, classNames: mapping?.classNames ?? [] };
  const sets = splitSets(all, mapping !== undefined, request.split, notes);
  checkSamplesFit(info, sets.calibration, 'calibration');

  throwIfCancelled(job.signal);
  replaceSamples('calibration', sets.calibration);
  if (sets.evaluation === undefined) clearSamples('evaluation');
  else replaceSamples('evaluation', sets.evaluation);

  const describe = (kind: 'calibration' | 'evaluation', set: SampleSet): SamplesInfo => ({
    kind,
    source: request.source,
    count: set.labels.length,
    classNames: set.classNames,
    shape: set.shape,
  });
  return {
    layout: plan.layout,
    source: request.source,
    decoded: decoded.images.length,
    skipped,
    mapping,
    calibration: describe('calibration', sets.calibration),
    evaluation: sets.evaluation === undefined ? undefined : describe('evaluation', sets.evaluation),
    previews: makePreviews(decoded.images, shape, preprocessing),
    notes,
  };
}

/** Returns the model's input [height, width, channels]. Throws when a size is open or the rank is not 3. */
function modelImageShape(info: ModelInfo): [number, number, number] {
  const [height, width, channels] = info.inputShape;
  if (info.inputShape.length !== 3 || typeof height !== 'number' || typeof width !== 'number' || typeof channels !== 'number') {
    // TODO: a model that accepts any image size needs a size chosen by the user.
    throw new PeakPruneError(
      'invalid-images',
      `Model "${info.source}" takes input of shape ${info.inputShape.map((d) => d ?? 'any').join('×')}, so images cannot be sized for it; images need a model with a fixed height × width × channels input.`,
    );
  }
  return [height, width, channels];
}

/** Replaces every picked .zip by its files; with several zips each path starts with its zip's name. */
async function expandArchives(files: readonly ImageFileInput[]): Promise<ImageFileInput[]> {
  const zips = files.filter((entry) => extensionOf(entry.path) === '.zip');
  const expanded: ImageFileInput[] = files.filter((entry) => extensionOf(entry.path) !== '.zip');
  for (const zip of zips) {
    const name = baseName(zip.path);
    const entries = unzipWithinLimits(new Uint8Array(await zip.file.arrayBuffer()), name);
    for (const entry of entries) {
      const path = zips.length > 1 ? `${name}/${entry.path}` : entry.path;
      expanded.push({ path, file: new Blob([entry.data as Uint8Array<ArrayBuffer>]) });
    }
  }
  return expanded;
}

function mapLabelledClasses(images: readonly LabelledPath[], info: ModelInfo, modelClassNames: readonly string[] | undefined): ClassMapping {
  const classes = new Map<string, { name: string; count: number; firstFile: string }>();
  for (const image of images) {
    const name = image.className!;
    const entry = classes.get(name);
    if (entry === undefined) classes.set(name, { name, count: 1, firstFile: image.path });
    else entry.count++;
  }
  return mapClasses({ classes: [...classes.values()], classCount: info.classCount, modelClassNames });
}

function indexOfClass(mapping: ClassMapping, className: string | undefined): number {
  return mapping.classes.find((entry) => entry.name === className)?.index ?? -1;
}

/**
 * Keeps at most as many images as MAX_SAMPLE_BYTES holds, chosen by a seeded shuffle, and
 * adds a note saying how many were used. The order of the kept images is the picked order.
 */
function limitImageCount(images: readonly LabelledPath[], shape: readonly number[], seed: number, notes: string[]): LabelledPath[] {
  const bytesPerImage = shape[0] * shape[1] * shape[2] * 4;
  const limit = Math.max(1, Math.floor(MAX_SAMPLE_BYTES / bytesPerImage));
  if (images.length <= limit) return [...images];
  const random = mulberry32(seed);
  const order = images.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const kept = order.slice(0, limit).sort((a, b) => a - b);
  notes.push(`Only ${limit} of ${images.length} images were used, chosen at random with the split seed, because more would not fit in memory at this input size.`);
  return kept.map((i) => images[i]);
}

interface DecodedImage {
  path: string;
  className?: string;
  pixels: Float32Array;
}

async function decodeAll(
  images: readonly LabelledPath[],
  files: readonly ImageFileInput[],
  shape: [number, number, number],
  preprocessing: Preprocessing,
  job: JobOptions,
): Promise<{ images: DecodedImage[]; failed: SkippedFile[] }> {
  const decoded: DecodedImage[] = [];
  const failed: SkippedFile[] = [];
  for (const [done, image] of images.entries()) {
    throwIfCancelled(job.signal);
    job.onProgress?.({ phase: 'decoding images', done: done / images.length, detail: image.path });
    try {
      const rgba = await decodeToRgba(files[image.index].file, image.path);
      decoded.push({ path: image.path, className: image.className, pixels: preprocessImage(rgba, shape, preprocessing) });
    } catch (error) {
      failed.push({ file: image.path, reason: `cannot be decoded (${(error as Error).message})` });
    }
  }
  return { images: decoded, failed };
}

function joinPixels(images: readonly Float32Array[]): Float32Array {
  const size = images.length === 0 ? 0 : images[0].length;
  const pixels = new Float32Array(images.length * size);
  images.forEach((image, i) => pixels.set(image, i * size));
  return pixels;
}

function selectImages(samples: SampleSet, indices: readonly number[]): SampleSet {
  const size = samples.shape[0] * samples.shape[1] * samples.shape[2];
  const pixels = new Float32Array(indices.length * size);
  indices.forEach((index, i) => pixels.set(samples.pixels.subarray(index * size, (index + 1) * size), i * size));
  return { pixels, shape: [...samples.shape], labels: Int32Array.from(indices, (index) => samples.labels[index]), classNames: [...samples.classNames] };
}

/**
 * Splits labelled images by the stratified split. Unlabelled images, and labelled ones too few
 * to leave any evaluation image, all become calibration images.
 */
function splitSets(all: SampleSet, labelled: boolean, split: SplitSettings, notes: string[]): { calibration: SampleSet; evaluation?: SampleSet } {
  if (!labelled) return { calibration: all };
  const indices = stratifiedSplit(all.labels, split);
  if (indices.evaluation.length === 0) {
    notes.push('Every class has a single image, so none is left for evaluation and accuracy cannot be measured; add images.');
    return { calibration: all };
  }
  return { calibration: selectImages(all, indices.calibration), evaluation: selectImages(all, indices.evaluation) };
}

/** Previews the first image of each class in turn, up to PREVIEW_COUNT images. */
function makePreviews(images: readonly DecodedImage[], shape: [number, number, number], preprocessing: Preprocessing): ImagePreview[] {
  const firstOfClass = new Map<string | undefined, DecodedImage>();
  for (const image of images) if (!firstOfClass.has(image.className)) firstOfClass.set(image.className, image);
  const picked = [...firstOfClass.values()];
  for (const image of images) {
    if (picked.length >= PREVIEW_COUNT) break;
    if (!picked.includes(image)) picked.push(image);
  }
  return picked.slice(0, PREVIEW_COUNT).map((image) => {
    let min = Infinity;
    let max = -Infinity;
    for (const value of image.pixels) {
      if (value < min) min = value;
      if (value > max) max = value;
    }
    return { file: image.path, className: image.className, width: shape[1], height: shape[0], rgba: previewRgba(image.pixels, shape, preprocessing), min, max };
  });
}
