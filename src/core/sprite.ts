// Sample images stored as one sprite (a PNG of equal tiles, grayscale or RGB) plus a JSON description.
// The caller decodes the PNG (the browser's canvas or pngjs in Node). This module validates the
// JSON and cuts the decoded pixels into a SampleSet.
import { PeakPruneError } from './errors';
import type { SampleSet } from './types';

export const SPRITE_FORMAT = 'peakprune-sprite-1';

/** Description of a sprite, stored next to it as JSON. */
export interface SpriteMeta {
  format: typeof SPRITE_FORMAT;
  /** Dataset split the images come from. */
  split: 'train' | 'test';
  /** Tile size [height, width] in pixels. */
  tile: [number, number];
  /** Channels per image in the SampleSet: 1 reads a gray sprite's R byte, 3 reads R, G and B. */
  channels: 1 | 3;
  /** Tiles per sprite row; tiles are laid out row-major in sample order. */
  columns: number;
  /** Number of tiles (images). */
  count: number;
  /** Pixel scaling: byte value / 255, giving values in [0, 1]. */
  scale: 'divide-255';
  classNames: string[];
  /** Class index of each tile, in [0, classNames.length). */
  labels: number[];
  /** Index of each tile's image in the original dataset split. */
  sourceIndices: number[];
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function isIntegerArray(value: unknown, length: number, min: number, maxExclusive: number): value is number[] {
  return (
    Array.isArray(value) &&
    value.length === length &&
    value.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v < maxExclusive)
  );
}

/** Validates parsed sprite JSON; throws `invalid-images` naming the file and the first bad field. */
export function parseSpriteMeta(json: unknown, fileName: string): SpriteMeta {
  const fail = (field: string, expected: string): never => {
    throw new PeakPruneError(
      'invalid-images',
      `${fileName}: field "${field}" is missing or invalid; expected ${expected}. Regenerate the sprite description or fix that field.`,
    );
  };

  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    fail('(root)', 'a JSON object');
  }
  const meta = json as Record<string, unknown>;

  if (meta.format !== SPRITE_FORMAT) fail('format', `"${SPRITE_FORMAT}"`);
  if (meta.split !== 'train' && meta.split !== 'test') fail('split', '"train" or "test"');
  const tile = meta.tile;
  if (!Array.isArray(tile) || tile.length !== 2 || !tile.every(isPositiveInteger)) {
    fail('tile', '[height, width] as two positive integers');
  }
  if (meta.channels !== 1 && meta.channels !== 3) fail('channels', '1 (grayscale) or 3 (RGB)');
  if (!isPositiveInteger(meta.columns)) fail('columns', 'a positive integer');
  if (!isPositiveInteger(meta.count)) fail('count', 'a positive integer');
  if (meta.scale !== 'divide-255') fail('scale', '"divide-255"');

  const classNames = meta.classNames;
  if (!Array.isArray(classNames) || classNames.length === 0 || !classNames.every((c) => typeof c === 'string')) {
    fail('classNames', 'a non-empty array of strings');
  }
  const count = meta.count as number;
  const classCount = (classNames as string[]).length;
  if (!isIntegerArray(meta.labels, count, 0, classCount)) {
    fail('labels', `${count} integers in [0, ${classCount})`);
  }
  if (!isIntegerArray(meta.sourceIndices, count, 0, Number.MAX_SAFE_INTEGER)) {
    fail('sourceIndices', `${count} non-negative integers`);
  }

  return {
    format: SPRITE_FORMAT,
    split: meta.split as 'train' | 'test',
    tile: [(tile as number[])[0], (tile as number[])[1]],
    channels: meta.channels as 1 | 3,
    columns: meta.columns as number,
    count,
    scale: 'divide-255',
    classNames: [...(classNames as string[])],
    labels: [...(meta.labels as number[])],
    sourceIndices: [...(meta.sourceIndices as number[])],
  };
}

/**
 * Cuts a decoded sprite into a SampleSet of count × tileHeight × tileWidth × channels values in
 * [0, 1]. `pixels` contains width × height pixels row-major with `bytesPerPixel` bytes each. A gray
 * sprite takes the first byte of each pixel: R for RGBA, which equals G and B. An RGB sprite takes
 * the first three bytes, so it needs RGBA input.
 * Throws `invalid-images` when the buffer or the image is too small for the tiles the
 * description lists.
 */
export function spriteToSampleSet(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  bytesPerPixel: 1 | 4,
  meta: SpriteMeta,
  fileName = 'sprite image',
): SampleSet {
  const [tileHeight, tileWidth] = meta.tile;
  const usedColumns = Math.min(meta.columns, meta.count);
  const rows = Math.ceil(meta.count / meta.columns);
  const neededWidth = usedColumns * tileWidth;
  const neededHeight = rows * tileHeight;

  if (width < neededWidth || height < neededHeight) {
    throw new PeakPruneError(
      'invalid-images',
      `${fileName} is ${width}×${height} pixels, but ${meta.count} tiles of ${tileHeight}×${tileWidth} in ` +
        `${meta.columns} columns need at least ${neededWidth}×${neededHeight}. Use the image that belongs to this description.`,
    );
  }
  if (pixels.length < width * height * bytesPerPixel) {
    throw new PeakPruneError(
      'invalid-images',
      `${fileName}: pixel buffer has ${pixels.length} bytes, fewer than ${width}×${height}×${bytesPerPixel}. The image did not decode completely.`,
    );
  }

  const channels = meta.channels;
  if (channels > bytesPerPixel) {
    throw new PeakPruneError(
      'invalid-images',
      `${fileName}: the description lists ${channels} channels but the pixels have ${bytesPerPixel} byte per pixel. Decode the sprite to RGBA.`,
    );
  }
  const tileSize = tileHeight * tileWidth * channels;
  const out = new Float32Array(meta.count * tileSize);
  for (let n = 0; n < meta.count; n++) {
    const top = Math.floor(n / meta.columns) * tileHeight;
    const left = (n % meta.columns) * tileWidth;
    for (let y = 0; y < tileHeight; y++) {
      const rowStart = ((top + y) * width + left) * bytesPerPixel;
      const outStart = n * tileSize + y * tileWidth * channels;
      for (let x = 0; x < tileWidth; x++) {
        for (let c = 0; c < channels; c++) {
          out[outStart + x * channels + c] = pixels[rowStart + x * bytesPerPixel + c] / 255;
        }
      }
    }
  }

  return {
    pixels: out,
    shape: [tileHeight, tileWidth, channels],
    labels: Int32Array.from(meta.labels),
    classNames: [...meta.classNames],
  };
}
