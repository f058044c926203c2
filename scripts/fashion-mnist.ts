// Reads the Fashion-MNIST IDX files that Debian's dataset-fashion-mnist package installs,
// and draws seeded, class-balanced subsets of them. Used by make-samples.ts and import-model.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { mulberry32 } from '../src/cli/images';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

export type Split = 'train' | 'test';

/** One split: `images` contains count × rows × cols unsigned bytes, row-major. */
export interface FashionMnistSplit {
  split: Split;
  count: number;
  rows: number;
  cols: number;
  images: Uint8Array;
  labels: Uint8Array;
}

/** Parses a gzipped IDX file of unsigned bytes and returns its dimensions and values. */
export function readIdx(path: string): { dims: number[]; data: Uint8Array } {
  const bytes = gunzipSync(readFileSync(path));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0 || view.getUint8(2) !== 0x08) {
    throw new Error(`${path}: not an IDX file of unsigned bytes (magic ${bytes.subarray(0, 4).join(',')})`);
  }
  const rank = view.getUint8(3);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i));

  const headerBytes = 4 + 4 * rank;
  const expected = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - headerBytes !== expected) {
    throw new Error(`${path}: header promises ${expected} values but the file has ${bytes.length - headerBytes}`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Loads the training split (60,000 images) or the test split (10,000 images). */
export function loadSplit(split: Split, dir = FASHION_MNIST_DIR): FashionMnistSplit {
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = readIdx(join(dir, `${prefix}-images-idx3-ubyte.gz`));
  const labels = readIdx(join(dir, `${prefix}-labels-idx1-ubyte.gz`));
  const [count, rows, cols] = images.dims;
  if (images.dims.length !== 3 || labels.dims.length !== 1 || labels.dims[0] !== count) {
    throw new Error(`${dir}: ${split} images ${images.dims.join('×')} do not match labels ${labels.dims.join('×')}`);
  }
  return { split, count, rows, cols, images: images.data, labels: labels.data };
}

/** Returns a Fisher–Yates permutation of 0..n-1 driven by `random`. */
export function shuffledIndices(n: number, random: () => number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
  return order;
}

/**
 * Picks `perClass` images of every class: walks a seeded permutation of the split and keeps an
 * index while its class is not yet full. The result keeps the permutation's order, so classes
 * are interleaved and any prefix is roughly balanced.
 */
export function balancedSample(data: FashionMnistSplit, perClass: number, seed: number): number[] {
  const classCount = CLASS_NAMES.length;
  const taken = new Array<number>(classCount).fill(0);
  const picked: number[] = [];
  for (const index of shuffledIndices(data.count, mulberry32(seed))) {
    const label = data.labels[index];
    if (taken[label] < perClass) {
      taken[label]++;
      picked.push(index);
      if (picked.length === perClass * classCount) return picked;
    }
  }
  throw new Error(`${data.split} split has fewer than ${perClass} images of some class`);
}

/** Returns a view (not a copy) of one image's bytes. */
export function imageBytes(data: FashionMnistSplit, index: number): Uint8Array {
  const size = data.rows * data.cols;
  return data.images.subarray(index * size, (index + 1) * size);
}
