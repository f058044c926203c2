// Writes the sample images PeakPrune ships with, as grayscale PNG sprites plus JSON descriptions.
// calibration.png/.json: 1,000 training images, 100 per class, for APoZ and fine-tuning.
// evaluation.png/.json: 1,000 test images, 100 per class, for accuracy.
// Both go to public/samples/ next to the Fashion-MNIST licence notice.
// Run: npx tsx scripts/make-samples.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { PNG } from 'pngjs';

import { SPRITE_FORMAT, type SpriteMeta } from '../src/core/sprite';
import { CLASS_NAMES, balancedSample, imageBytes, loadSplit, type FashionMnistSplit } from './fashion-mnist';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SAMPLES_DIR = join(REPO_ROOT, 'public', 'samples');
export const PER_CLASS = 100;
export const COLUMNS = 40;
export const CALIBRATION_SEED = 1;
export const EVALUATION_SEED = 2;

const LICENSE_TEXT = `Fashion-MNIST, by Zalando Research (2017)
Source: the Debian package dataset-fashion-mnist (files under /usr/share/datasets/fashion-mnist/),
which packages the upstream data set at https://github.com/zalandoresearch/fashion-mnist
The sprites calibration.png and evaluation.png in this folder contain images taken unchanged
from that data set, rearranged into a grid.

The MIT License (MIT)

Copyright (c) 2017 Zalando SE, https://tech.zalando.com

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`;

/** Lays the chosen images out as tiles, COLUMNS per row, row-major, in sample order. */
function drawSprite(data: FashionMnistSplit, indices: number[]): { png: Buffer; width: number; height: number } {
  const width = COLUMNS * data.cols;
  const height = Math.ceil(indices.length / COLUMNS) * data.rows;
  const gray = Buffer.alloc(width * height);

  indices.forEach((source, n) => {
    const top = Math.floor(n / COLUMNS) * data.rows;
    const left = (n % COLUMNS) * data.cols;
    const image = imageBytes(data, source);
    for (let y = 0; y < data.rows; y++) {
      gray.set(image.subarray(y * data.cols, (y + 1) * data.cols), (top + y) * width + left);
    }
  });

  // With colorType and inputColorType both 0 (gray) pngjs writes `data` as one byte per pixel.
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  png.data = gray;
  const encoded = PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  return { png: encoded, width, height };
}

function writeSampleSet(name: string, data: FashionMnistSplit, seed: number): void {
  const indices = balancedSample(data, PER_CLASS, seed);
  const { png, width, height } = drawSprite(data, indices);
  const meta: SpriteMeta = {
    format: SPRITE_FORMAT,
    split: data.split,
    tile: [data.rows, data.cols],
    channels: 1,
    columns: COLUMNS,
    count: indices.length,
    scale: 'divide-255',
    classNames: CLASS_NAMES,
    labels: indices.map((i) => data.labels[i]),
    sourceIndices: indices,
  };
  writeFileSync(join(SAMPLES_DIR, `${name}.png`), png);
  writeFileSync(join(SAMPLES_DIR, `${name}.json`), JSON.stringify(meta) + '\n');
  console.log(`${name}: ${indices.length} ${data.split} images (seed ${seed}), sprite ${width}×${height}, ${png.length} bytes`);
}

function main(): void {
  mkdirSync(SAMPLES_DIR, { recursive: true });
  writeSampleSet('calibration', loadSplit('train'), CALIBRATION_SEED);
  writeSampleSet('evaluation', loadSplit('test'), EVALUATION_SEED);
  writeFileSync(join(SAMPLES_DIR, 'LICENSE-fashion-mnist.txt'), LICENSE_TEXT);
  console.log(`wrote ${SAMPLES_DIR}`);
}

main();
