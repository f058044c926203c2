// Writes the image subsets that `peakprune sweep --limit N` picks from the shipped samples as
// sprites, so the page in the browser stage loads exactly the images of the Node stage.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { PNG } from 'pngjs';

import { readSprite, stratifiedSubset } from '../../src/cli/images';
import { parseSpriteMeta, type SpriteMeta } from '../../src/core/sprite';
import type { SampleSet } from '../../src/core/types';

const KINDS = ['calibration', 'evaluation'] as const;

/**
 * Reads public/samples/<kind>.png and .json under `root`, keeps the images that
 * `peakprune sweep --limit N` keeps for split seed `seed` (N from `limits` per kind), and writes
 * them as <kind>.png and <kind>.json into `samplesDir`. Throws when a pixel is not a byte over
 * 255, because the PNG could not store it exactly.
 */
export async function writeLimitedSprites(root: string, samplesDir: string, limits: Record<(typeof KINDS)[number], number>, seed: number): Promise<void> {
  for (const kind of KINDS) {
    const limit = limits[kind];
    const base = join(root, 'public/samples', kind);
    const meta = parseSpriteMeta(JSON.parse(readFileSync(`${base}.json`, 'utf8')), `${base}.json`);
    const samples = await readSprite(`${base}.png`, `${base}.json`);
    // The same rule as the command line's --limit: every image when there are no more than limit.
    const indices = samples.labels.length <= limit ? [...samples.labels.keys()] : stratifiedSubset(samples.labels, limit, seed);
    const sprite = encodeSprite(samples, indices, meta);
    writeFileSync(join(samplesDir, `${kind}.png`), sprite.png);
    writeFileSync(join(samplesDir, `${kind}.json`), `${JSON.stringify(sprite.meta)}\n`);
  }
}

/** Lays the chosen gray images out in the source's column count and returns the PNG bytes and description. */
function encodeSprite(samples: SampleSet, indices: readonly number[], source: SpriteMeta): { png: Buffer; meta: SpriteMeta } {
  const [tileHeight, tileWidth, channels] = samples.shape;
  if (channels !== 1) throw new Error(`Only gray sprites are supported here; the shipped samples have ${channels} channels.`);
  const columns = Math.min(source.columns, indices.length);
  const rows = Math.ceil(indices.length / columns);
  const png = new PNG({ width: columns * tileWidth, height: rows * tileHeight, colorType: 0, inputColorType: 0, bitDepth: 8 });
  const tileSize = tileHeight * tileWidth;
  png.data = Buffer.alloc(png.width * png.height * 4);
  indices.forEach((index, tile) => {
    const top = Math.floor(tile / columns) * tileHeight;
    const left = (tile % columns) * tileWidth;
    for (let y = 0; y < tileHeight; y++) {
      for (let x = 0; x < tileWidth; x++) {
        const value = samples.pixels[index * tileSize + y * tileWidth + x];
        const byte = Math.round(value * 255);
        if (Math.fround(byte / 255) !== value) throw new Error(`Pixel ${value} of image ${index} is not a byte over 255, so it cannot be stored exactly.`);
        const offset = ((top + y) * png.width + left + x) * 4;
        png.data[offset] = byte;
        png.data[offset + 1] = byte;
        png.data[offset + 2] = byte;
        png.data[offset + 3] = 255;
      }
    }
  });
  const meta: SpriteMeta = {
    ...source,
    columns,
    count: indices.length,
    labels: indices.map((index) => samples.labels[index]),
    sourceIndices: indices.map((index) => source.sourceIndices[index]),
  };
  return { png: PNG.sync.write(png, { colorType: 0 }), meta };
}
