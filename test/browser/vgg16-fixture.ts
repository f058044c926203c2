// A CIFAR-style VGG-16 (13 Conv2D layers, about 15 M parameters, seeded random weights) and
// 32×32×3 RGB sprites of seeded noise, served to the built app in place of the shipped model
// and images. The app then opens with VGG-16 as if it were the shipped model.
import { PNG } from 'pngjs';
import type { BrowserContext, Route } from 'playwright-core';

import { artifactsToFiles, saveToArtifacts } from '../../src/core/model-io';
import { buildVgg16 } from '../../scripts/bench/vgg16';

/** Filters of VGG-16's 13 convolution layers, conv1 to conv13. */
export const VGG16_FILTERS = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512];
const CLASS_COUNT = 10;
const TILE = 32;
const COLUMNS = 16;

export interface Vgg16Files {
  modelJson: string;
  weights: Uint8Array;
  weightsFileName: string;
  /** Parameter count of the unpruned model, from tfjs. */
  params: number;
}

/** Builds VGG-16 with seeded weights and returns its model.json text and weights file. */
export async function makeVgg16Files(): Promise<Vgg16Files> {
  const { model, images } = buildVgg16(1);
  images.dispose();
  try {
    const files = artifactsToFiles(await saveToArtifacts(model));
    return { ...files, params: model.countParams() };
  } finally {
    model.dispose();
  }
}

/** Encodes `count` noise images as an RGB sprite PNG plus its description, labels 0–9 in turn. */
export function makeRgbSprite(count: number, split: 'train' | 'test', seed: number): { png: Buffer; json: string } {
  const rows = Math.ceil(count / COLUMNS);
  const png = new PNG({ width: COLUMNS * TILE, height: rows * TILE });
  let state = seed >>> 0;
  for (let i = 0; i < png.data.length; i += 4) {
    // xorshift32: any fixed sequence of bytes will do.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    png.data[i] = state & 0xff;
    png.data[i + 1] = (state >>> 8) & 0xff;
    png.data[i + 2] = (state >>> 16) & 0xff;
    png.data[i + 3] = 255;
  }
  const labels = Array.from({ length: count }, (_, i) => i % CLASS_COUNT);
  const meta = {
    format: 'peakprune-sprite-1',
    split,
    tile: [TILE, TILE],
    channels: 3,
    columns: COLUMNS,
    count,
    scale: 'divide-255',
    classNames: Array.from({ length: CLASS_COUNT }, (_, i) => `class ${i}`),
    labels,
    sourceIndices: labels.map((_, i) => i),
  };
  return { png: PNG.sync.write(png), json: JSON.stringify(meta) };
}

/**
 * Routes the app's requests for model/model.json, its weights and the two sample sprites to
 * the given VGG-16 files and noise sprites of `imageCount` images each.
 */
export async function serveVgg16(context: BrowserContext, files: Vgg16Files, imageCount: number): Promise<void> {
  const calibration = makeRgbSprite(imageCount, 'train', 7);
  const evaluation = makeRgbSprite(imageCount, 'test', 11);
  const bodies = new Map<string, { body: string | Buffer; contentType: string }>([
    ['model/model.json', { body: files.modelJson, contentType: 'application/json' }],
    [`model/${files.weightsFileName}`, { body: Buffer.from(files.weights), contentType: 'application/octet-stream' }],
    ['samples/calibration.png', { body: calibration.png, contentType: 'image/png' }],
    ['samples/calibration.json', { body: calibration.json, contentType: 'application/json' }],
    ['samples/evaluation.png', { body: evaluation.png, contentType: 'image/png' }],
    ['samples/evaluation.json', { body: evaluation.json, contentType: 'application/json' }],
  ]);
  await context.route(/\/(model|samples)\/[^/?]+$/, async (route: Route) => {
    const path = new URL(route.request().url()).pathname.replace(/^.*\/(model|samples)\//, '$1/');
    const answer = bodies.get(path);
    if (answer === undefined) return route.fulfill({ status: 404, body: `${path} is not part of the VGG-16 fixture` });
    return route.fulfill({ status: 200, body: answer.body, contentType: answer.contentType });
  });
}

/**
 * Counts the parameters of VGG-16 with `keptFilters[i]` filters in conv i+1, from the architecture:
 * 3×3 convolutions with bias, Flatten of the last 1×1 map, Dense 512 and Dense 10.
 */
export function vgg16Params(keptFilters: readonly number[]): number {
  let params = 0;
  let inputs = 3;
  for (const filters of keptFilters) {
    params += 3 * 3 * inputs * filters + filters;
    inputs = filters;
  }
  return params + (inputs * 512 + 512) + (512 * CLASS_COUNT + CLASS_COUNT);
}
