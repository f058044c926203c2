// Image input for the command-line tool: ImageFolder directories, the shipped sprites, and a
// seeded stratified split into calibration and evaluation images.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

import { PeakPruneError } from '../core/errors';
import { mulberry32 } from '../core/random';
import { parseSpriteMeta, spriteToSampleSet } from '../core/sprite';
import type { SampleSet } from '../core/types';

// Also exported here for the scripts and tests that import it together with the image helpers.
export { mulberry32 };

/** Layout the images are converted to: the model's input size and channel count. */
export interface ImageFormat {
  channels: number;
  height: number;
  width: number;
  /** Pixel scaling: byte value / 255, giving values in [0, 1]. */
  scale: 'divide-255';
}

/** A file of an image folder that was left out, with the reason. */
export interface SkippedImage {
  file: string;
  reason: string;
}

export interface ImageFolderContents {
  samples: SampleSet;
  skipped: SkippedImage[];
}

/** A decoded image, 4 bytes (RGBA) per pixel, row-major. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

/**
 * Reads an ImageFolder directory: one subfolder per class, class index = position of the
 * subfolder's name in code-point order, images anywhere below it. PNG and JPEG files are decoded,
 * converted to `format.channels` (see `toChannels`), resized to `format.height` × `format.width`
 * by bilinear interpolation when their size differs, and divided by 255.
 * Files that do not decode, or are not PNG or JPEG, are returned in `skipped`. Files directly in
 * `dir` and names starting with a dot are ignored.
 * Throws `invalid-images` when the folder is missing, has no class subfolders, or yields no image.
 */
export async function readImageFolder(dir: string, format: ImageFormat): Promise<ImageFolderContents> {
  const classDirs = await listClassFolders(dir);
  const images: Float32Array[] = [];
  const labels: number[] = [];
  const skipped: SkippedImage[] = [];

  for (const [label, classDir] of classDirs.entries()) {
    for (const file of await listFilesBelow(path.join(dir, classDir))) {
      if (!IMAGE_EXTENSIONS.has(path.extname(file).toLowerCase())) {
        skipped.push({ file, reason: 'not a .png, .jpg or .jpeg file' });
        continue;
      }
      try {
        const decoded = decodeImage(await readFile(file));
        images.push(toModelInput(decoded, format));
        labels.push(label);
      } catch (error) {
        skipped.push({ file, reason: `cannot be decoded (${(error as Error).message})` });
      }
    }
  }

  if (images.length === 0) {
    throw new PeakPruneError(
      'invalid-images',
      `No PNG or JPEG image could be read from the class subfolders of ${dir}; add images to them.`,
    );
  }
  return { samples: concatenateImages(images, labels, classDirs, format), skipped };
}

async function listClassFolders(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const problem = describeReadError(error as NodeJS.ErrnoException);
    throw new PeakPruneError('invalid-images', `Images folder ${dir} ${problem}; pass an existing folder with --images.`);
  }
  const classDirs = entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  if (classDirs.length === 0) {
    throw new PeakPruneError(
      'invalid-images',
      `Images folder ${dir} has no class subfolders; put the images of each class in a subfolder named after the class.`,
    );
  }
  return classDirs;
}

function describeReadError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'was not found';
    case 'ENOTDIR':
      return 'is not a folder';
    default:
      return `cannot be read (${error.code ?? error.message})`;
  }
}

/** Lists the files below `dir`, recursively, in code-point order, skipping dot names. */
async function listFilesBelow(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFilesBelow(full)));
    else if (entry.isFile() || (entry.isSymbolicLink() && (await stat(full)).isFile())) files.push(full);
  }
  return files.sort();
}

/** Decodes PNG or JPEG bytes, recognised by their signature, to RGBA. Throws when neither decodes. */
export function decodeImage(bytes: Uint8Array): RgbaImage {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length >= 8 && buffer.readUInt32BE(0) === 0x89504e47) {
    // pngjs expands grayscale, palette and 16-bit images to 8-bit RGBA.
    const png = PNG.sync.read(buffer);
    return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
  }
  if (buffer.length >= 3 && buffer[0] === 0xff && buffer[1] === 0xd8 && buffer[2] === 0xff) {
    const image = jpeg.decode(buffer, { useTArray: true, formatAsRGBA: true });
    return { width: image.width, height: image.height, data: image.data };
  }
  throw new Error('neither a PNG nor a JPEG signature');
}

/** Converts, resizes and scales one decoded image to `format`. */
export function toModelInput(image: RgbaImage, format: ImageFormat): Float32Array {
  let pixels = toChannels(image, format.channels);
  if (image.height !== format.height || image.width !== format.width) {
    pixels = resizeBilinear(pixels, image.height, image.width, format.channels, format.height, format.width);
  }
  for (let i = 0; i < pixels.length; i++) pixels[i] /= 255;
  return pixels;
}

/**
 * Converts RGBA bytes to `channels` values per pixel, still in [0, 255]:
 * 1 = luma 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601 weights; a gray image keeps its value),
 * 3 = R, G, B, 4 = R, G, B, A. Alpha is dropped, not composited, for 1 and 3 channels.
 */
export function toChannels(image: RgbaImage, channels: number): Float32Array {
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new PeakPruneError(
      'invalid-images',
      `The model expects ${channels} input channels; image folders can be converted only to 1, 3 or 4 channels.`,
    );
  }
  const count = image.width * image.height;
  const out = new Float32Array(count * channels);
  const rgba = image.data;
  for (let p = 0; p < count; p++) {
    const r = rgba[4 * p];
    const g = rgba[4 * p + 1];
    const b = rgba[4 * p + 2];
    if (channels === 1) {
      out[p] = 0.299 * r + 0.587 * g + 0.114 * b;
      continue;
    }
    out[channels * p] = r;
    out[channels * p + 1] = g;
    out[channels * p + 2] = b;
    if (channels === 4) out[channels * p + 3] = rgba[4 * p + 3];
  }
  return out;
}

/**
 * Resizes an HWC image by bilinear interpolation with half-pixel centers (the convention of
 * tf.image.resizeBilinear with halfPixelCenters = true). There is no antialiasing filter, so a
 * strong downscale aliases.
 */
export function resizeBilinear(
  pixels: Float32Array,
  height: number,
  width: number,
  channels: number,
  outHeight: number,
  outWidth: number,
): Float32Array {
  const out = new Float32Array(outHeight * outWidth * channels);
  const scaleY = height / outHeight;
  const scaleX = width / outWidth;
  for (let y = 0; y < outHeight; y++) {
    const sy = Math.min(Math.max((y + 0.5) * scaleY - 0.5, 0), height - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, height - 1);
    const fy = sy - y0;
    for (let x = 0; x < outWidth; x++) {
      const sx = Math.min(Math.max((x + 0.5) * scaleX - 0.5, 0), width - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, width - 1);
      const fx = sx - x0;
      for (let c = 0; c < channels; c++) {
        const at = (yy: number, xx: number) => pixels[(yy * width + xx) * channels + c];
        const top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx;
        const bottom = at(y1, x0) * (1 - fx) + at(y1, x1) * fx;
        out[(y * outWidth + x) * channels + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

function concatenateImages(images: Float32Array[], labels: number[], classNames: string[], format: ImageFormat): SampleSet {
  const size = format.height * format.width * format.channels;
  const pixels = new Float32Array(images.length * size);
  images.forEach((image, i) => pixels.set(image, i * size));
  return {
    pixels,
    shape: [format.height, format.width, format.channels],
    labels: Int32Array.from(labels),
    classNames,
  };
}

/** Reads a shipped sprite (grayscale PNG of tiles) and its JSON description. */
export async function readSprite(pngPath: string, jsonPath: string): Promise<SampleSet> {
  const text = await readInputFile(jsonPath);
  let json: unknown;
  try {
    json = JSON.parse(text.toString('utf8'));
  } catch (error) {
    throw new PeakPruneError('invalid-images', `${jsonPath} is not valid JSON (${(error as Error).message}); restore the file.`);
  }
  const meta = parseSpriteMeta(json, jsonPath);
  let image: RgbaImage;
  try {
    image = decodeImage(await readInputFile(pngPath));
  } catch (error) {
    if (error instanceof PeakPruneError) throw error;
    throw new PeakPruneError('invalid-images', `${pngPath} cannot be decoded as PNG (${(error as Error).message}); restore the file.`);
  }
  return spriteToSampleSet(image.data, image.width, image.height, 4, meta, pngPath);
}

async function readInputFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const problem = describeReadError(error as NodeJS.ErrnoException);
    throw new PeakPruneError('invalid-images', `Sample image file ${file} ${problem}; restore it or pass --images DIR.`);
  }
}

/** Returns a SampleSet holding the samples at `indices`, in that order. */
export function selectSamples(samples: SampleSet, indices: readonly number[]): SampleSet {
  const size = samples.shape[0] * samples.shape[1] * samples.shape[2];
  const pixels = new Float32Array(indices.length * size);
  indices.forEach((index, i) => pixels.set(samples.pixels.subarray(index * size, (index + 1) * size), i * size));
  return {
    pixels,
    shape: [...samples.shape],
    labels: Int32Array.from(indices, (index) => samples.labels[index]),
    classNames: [...samples.classNames],
  };
}

/**
 * Splits sample indices class by class: each class sends round(fraction × its size) randomly
 * chosen samples to `selected` and the rest to `rest`. The shuffle is seeded, so one seed gives
 * one split. Both lists are ascending and never share an index.
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  fraction: number,
  seed: number,
): { selected: number[]; rest: number[] } {
  const random = mulberry32(seed);
  const byClass = groupByLabel(labels);

  const selected: number[] = [];
  const rest: number[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = shuffle(byClass.get(label)!, random);
    const take = Math.round(fraction * members.length);
    selected.push(...members.slice(0, take));
    rest.push(...members.slice(take));
  }
  return { selected: selected.sort((a, b) => a - b), rest: rest.sort((a, b) => a - b) };
}

/**
 * Picks `count` sample indices with classes as even as the data allows: every class is shuffled
 * (seeded), then the classes are taken in turn, one sample each, until `count` are picked.
 * Returns the indices ascending; all of them when `count` is at least the number of samples.
 */
export function stratifiedSubset(labels: ArrayLike<number>, count: number, seed: number): number[] {
  const random = mulberry32(seed);
  const byClass = groupByLabel(labels);
  const queues = [...byClass.keys()].sort((a, b) => a - b).map((label) => shuffle(byClass.get(label)!, random));

  const picked: number[] = [];
  for (let round = 0; picked.length < Math.min(count, labels.length); round++) {
    for (const queue of queues) {
      if (round < queue.length && picked.length < count) picked.push(queue[round]);
    }
  }
  return picked.sort((a, b) => a - b);
}

/** Maps each label to the indices carrying it, ascending. */
function groupByLabel(labels: ArrayLike<number>): Map<number, number[]> {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const members = byClass.get(labels[i]) ?? [];
    members.push(i);
    byClass.set(labels[i], members);
  }
  return byClass;
}

/** Fisher–Yates shuffle in place. */
function shuffle(values: number[], random: () => number): number[] {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [values[i], values[j]] = [values[j], values[i]];
  }
  return values;
}
