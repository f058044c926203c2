import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import * as tf from '@tensorflow/tfjs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  decodeImage,
  mulberry32,
  readImageFolder,
  readSprite,
  resizeBilinear,
  selectSamples,
  stratifiedSplit,
  stratifiedSubset,
  toChannels,
  type ImageFormat,
} from '../../src/cli/images';
import { PeakPruneError } from '../../src/core/errors';

const REPO = path.resolve(__dirname, '../..');
const GRAY_4X4: ImageFormat = { channels: 1, height: 4, width: 4, scale: 'divide-255' };

/** Encodes a PNG from RGBA bytes; colorType 0 stores gray (from R), 2 RGB, 6 RGBA. */
function encodePng(width: number, height: number, rgba: Uint8Array, colorType: 0 | 2 | 6): Buffer {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba);
  return PNG.sync.write(png, { colorType });
}

function solidRgba(width: number, height: number, [r, g, b, a]: number[]): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) data.set([r, g, b, a], 4 * p);
  return data;
}

describe('toChannels', () => {
  const image = { width: 2, height: 1, data: new Uint8Array([100, 150, 200, 7, 40, 40, 40, 255]) };

  it('converts RGB to luma', () => {
    const gray = toChannels(image, 1);
    expect(gray[0]).toBeCloseTo(0.299 * 100 + 0.587 * 150 + 0.114 * 200, 4);
    expect(gray[0]).toBeCloseTo(140.75, 4);
    expect(gray[1]).toBeCloseTo(40, 4);
  });

  it('drops or keeps alpha', () => {
    expect(Array.from(toChannels(image, 3))).toEqual([100, 150, 200, 40, 40, 40]);
    expect(Array.from(toChannels(image, 4))).toEqual([100, 150, 200, 7, 40, 40, 40, 255]);
  });

  it('rejects two channels', () => {
    expect(() => toChannels(image, 2)).toThrow(PeakPruneError);
  });
});

describe('resizeBilinear', () => {
  it('keeps an image of the same size', () => {
    const pixels = Float32Array.from({ length: 3 * 5 * 2 }, (_, i) => i * 1.5);
    expect(Array.from(resizeBilinear(pixels, 3, 5, 2, 3, 5))).toEqual(Array.from(pixels));
  });

  it('upsamples 2×2 to 4×4 by hand values', () => {
    // Half-pixel centers map output x = 0..3 to source 0 (clamped), 0.25, 0.75, 1 (clamped).
    // The image 10·x + 20·y is linear, so bilinear interpolation reproduces it exactly.
    const out = resizeBilinear(new Float32Array([0, 10, 20, 30]), 2, 2, 1, 4, 4);
    const expected = [0, 2.5, 7.5, 10, 5, 7.5, 12.5, 15, 15, 17.5, 22.5, 25, 20, 22.5, 27.5, 30];
    expected.forEach((value, i) => expect(out[i]).toBeCloseTo(value, 5));
  });

  it('matches tf.image.resizeBilinear with half-pixel centers', async () => {
    await tf.setBackend('cpu');
    const tensorsBefore = tf.memory().numTensors;
    const random = mulberry32(3);
    for (const [h, w, outH, outW] of [
      [5, 7, 3, 4],
      [3, 3, 8, 6],
      [6, 4, 6, 9],
    ]) {
      const pixels = Float32Array.from({ length: h * w * 3 }, () => random() * 255);
      const expected = tf.tidy(() =>
        tf.image.resizeBilinear(tf.tensor3d(pixels, [h, w, 3]), [outH, outW], false, true).dataSync(),
      );
      const actual = resizeBilinear(pixels, h, w, 3, outH, outW);
      expect(actual.length).toBe(expected.length);
      actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 3));
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});

describe('decodeImage', () => {
  it('decodes gray PNG, RGB PNG and JPEG', () => {
    const gray = decodeImage(encodePng(2, 2, solidRgba(2, 2, [90, 90, 90, 255]), 0));
    expect(Array.from(gray.data.subarray(0, 4))).toEqual([90, 90, 90, 255]);

    const rgb = decodeImage(encodePng(2, 2, solidRgba(2, 2, [10, 20, 30, 255]), 2));
    expect(Array.from(rgb.data.subarray(0, 4))).toEqual([10, 20, 30, 255]);

    const jpg = decodeImage(jpeg.encode({ width: 8, height: 8, data: solidRgba(8, 8, [128, 128, 128, 255]) }, 95).data);
    expect(jpg.width).toBe(8);
    expect(Math.abs(jpg.data[0] - 128)).toBeLessThanOrEqual(2);
  });

  it('rejects bytes of another format', () => {
    expect(() => decodeImage(new TextEncoder().encode('GIF89a not an image'))).toThrow(/neither a PNG nor a JPEG/);
  });
});

describe('readImageFolder', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'peakprune-images-'));
    // "b_shirt" sorts after "a_shoe", so it is class 1 although it is written first.
    await mkdir(path.join(root, 'folder', 'b_shirt', 'nested'), { recursive: true });
    await mkdir(path.join(root, 'folder', 'a_shoe'), { recursive: true });
    await writeFile(path.join(root, 'folder', 'b_shirt', '1.png'), encodePng(4, 4, solidRgba(4, 4, [51, 51, 51, 255]), 0));
    await writeFile(path.join(root, 'folder', 'b_shirt', 'nested', '2.png'), encodePng(2, 2, solidRgba(2, 2, [255, 0, 0, 255]), 2));
    await writeFile(path.join(root, 'folder', 'b_shirt', 'broken.png'), 'not a png');
    await writeFile(path.join(root, 'folder', 'b_shirt', 'notes.txt'), 'hello');
    await writeFile(path.join(root, 'folder', 'b_shirt', '.hidden.png'), 'ignored');
    await writeFile(
      path.join(root, 'folder', 'a_shoe', '3.jpg'),
      jpeg.encode({ width: 4, height: 4, data: solidRgba(4, 4, [204, 204, 204, 255]) }, 95).data,
    );
    await writeFile(path.join(root, 'folder', 'README.txt'), 'top-level files are ignored');

    await mkdir(path.join(root, 'flat'));
    await writeFile(path.join(root, 'flat', 'x.png'), encodePng(2, 2, solidRgba(2, 2, [0, 0, 0, 255]), 0));
    await mkdir(path.join(root, 'undecodable', 'only'), { recursive: true });
    await writeFile(path.join(root, 'undecodable', 'only', 'bad.jpg'), 'nope');
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads classes in sorted order', async () => {
    const { samples, skipped } = await readImageFolder(path.join(root, 'folder'), GRAY_4X4);
    expect(samples.classNames).toEqual(['a_shoe', 'b_shirt']);
    expect(Array.from(samples.labels)).toEqual([0, 1, 1]);
    expect(samples.shape).toEqual([4, 4, 1]);
    expect(samples.pixels.length).toBe(3 * 16);

    expect(Math.abs(samples.pixels[0] - 204 / 255)).toBeLessThan(3 / 255);
    expect(samples.pixels[16]).toBeCloseTo(51 / 255, 5);
    // The red 2×2 image is resized to 4×4 and converted to luma 0.299 · 255.
    for (let i = 32; i < 48; i++) expect(samples.pixels[i]).toBeCloseTo(0.299, 4);

    expect(skipped.map((s) => path.basename(s.file))).toEqual(['broken.png', 'notes.txt']);
    expect(skipped[0].reason).toMatch(/cannot be decoded/);
    expect(skipped[1].reason).toMatch(/not a \.png/);
  });

  it('rejects a missing folder', async () => {
    const missing = path.join(root, 'missing');
    await expect(readImageFolder(missing, GRAY_4X4)).rejects.toThrow(`Images folder ${missing} was not found`);
  });

  it('rejects a folder without class subfolders', async () => {
    await expect(readImageFolder(path.join(root, 'flat'), GRAY_4X4)).rejects.toThrow(/has no class subfolders/);
  });

  it('rejects a folder without readable images', async () => {
    const error = await readImageFolder(path.join(root, 'undecodable'), GRAY_4X4).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PeakPruneError);
    expect((error as PeakPruneError).code).toBe('invalid-images');
    expect((error as Error).message).toContain(path.join(root, 'undecodable'));
  });
});

describe('stratifiedSplit', () => {
  const labels = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2];

  it('splits each class by the fraction', () => {
    const { selected, rest } = stratifiedSplit(labels, 0.5, 7);
    expect([...selected, ...rest].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
    expect(selected.filter((i) => rest.includes(i))).toEqual([]);
    const countOf = (indices: number[], label: number) => indices.filter((i) => labels[i] === label).length;
    // round(0.5 · 4) = 2, round(0.5 · 6) = 3, round(0.5 · 3) = 2 (half rounds up).
    expect([0, 1, 2].map((label) => countOf(selected, label))).toEqual([2, 3, 2]);
    expect(selected).toEqual([...selected].sort((a, b) => a - b));
  });

  it('repeats for one seed', () => {
    expect(stratifiedSplit(labels, 0.3, 11)).toEqual(stratifiedSplit(labels, 0.3, 11));
    const seeds = [1, 2, 3, 4, 5].map((seed) => stratifiedSplit(labels, 0.5, seed).selected.join());
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });
});

describe('stratifiedSubset', () => {
  it('picks the count with balanced classes', () => {
    const labels = [...Array<number>(70).fill(0), ...Array<number>(20).fill(1), ...Array<number>(10).fill(2)];
    const picked = stratifiedSubset(labels, 25, 5);
    expect(picked.length).toBe(25);
    expect(new Set(picked).size).toBe(25);
    const counts = [0, 1, 2].map((label) => picked.filter((i) => labels[i] === label).length);
    // Eight turns of one image per class give 24; the ninth turn starts with class 0.
    expect(counts).toEqual([9, 8, 8]);
  });

  it('gives a small class all it has', () => {
    const labels = [0, 0, 0, 0, 0, 0, 0, 0, 1];
    const picked = stratifiedSubset(labels, 5, 1);
    expect(picked.length).toBe(5);
    expect(picked).toContain(8);
  });

  it('returns all when count exceeds', () => {
    expect(stratifiedSubset([0, 1, 1], 10, 1)).toEqual([0, 1, 2]);
  });
});

describe('mulberry32', () => {
  it('is seeded and uniform', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const values = Array.from({ length: 10_000 }, () => a());
    expect(values.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
  });
});

describe('selectSamples', () => {
  it('copies the chosen images and labels', () => {
    const samples = {
      pixels: new Float32Array([0, 1, 10, 11, 20, 21]),
      shape: [1, 2, 1] as [number, number, number],
      labels: new Int32Array([5, 6, 7]),
      classNames: ['x'],
    };
    const chosen = selectSamples(samples, [2, 0]);
    expect(Array.from(chosen.pixels)).toEqual([20, 21, 0, 1]);
    expect(Array.from(chosen.labels)).toEqual([7, 5]);
  });
});

describe('readSprite', () => {
  const sprite = path.join(REPO, 'public/samples/calibration');

  it.skipIf(!existsSync(`${sprite}.png`))('reads the shipped calibration sprite', async () => {
    const samples = await readSprite(`${sprite}.png`, `${sprite}.json`);
    expect(samples.shape).toEqual([28, 28, 1]);
    expect(samples.labels.length).toBe(1000);
    expect(samples.pixels.length).toBe(1000 * 28 * 28);
    let max = 0;
    for (const value of samples.pixels) max = Math.max(max, value);
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.5);
  });

  it('names a missing description file', async () => {
    await expect(readSprite(`${sprite}.png`, '/nonexistent/sprite.json')).rejects.toThrow(
      'Sample image file /nonexistent/sprite.json was not found',
    );
  });
});
