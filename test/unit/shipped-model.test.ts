import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadLayersModelFromFiles } from '../../src/cli/load-model';
import { PeakPruneError } from '../../src/core/errors';
import { parseSpriteMeta, spriteToSampleSet, type SpriteMeta } from '../../src/core/sprite';
import type { SampleSet } from '../../src/core/types';
import { FASHION_MNIST_DIR, imageBytes, loadSplit } from '../../scripts/fashion-mnist';

const MODEL_DIR = fileURLToPath(new URL('../../public/model', import.meta.url));
const MODEL_JSON = join(MODEL_DIR, 'model.json');
const SAMPLES_DIR = fileURLToPath(new URL('../../public/samples', import.meta.url));
const HAS_DATASET = existsSync(join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'));

function readSprite(name: string): { meta: SpriteMeta; png: PNG; set: SampleSet } {
  const jsonPath = join(SAMPLES_DIR, `${name}.json`);
  const meta = parseSpriteMeta(JSON.parse(readFileSync(jsonPath, 'utf8')), jsonPath);
  const png = PNG.sync.read(readFileSync(join(SAMPLES_DIR, `${name}.png`)));
  // pngjs decodes every colour type to RGBA.
  const set = spriteToSampleSet(png.data, png.width, png.height, 4, meta, `${name}.png`);
  return { meta, png, set };
}

/** Reads the tfjs top-1 cell of the evaluation-sprite row of MODEL_CARD.md, as a fraction. */
function statedEvaluationAccuracy(): number {
  const card = readFileSync(join(MODEL_DIR, 'MODEL_CARD.md'), 'utf8');
  const row = card.split('\n').find((line) => line.startsWith('|') && line.includes('evaluation.png'));
  if (!row) throw new Error('MODEL_CARD.md has no table row for evaluation.png');
  const cells = row.split('|').map((c) => c.trim()).filter((c) => c !== '');
  const match = /^([\d.]+) %/.exec(cells[cells.length - 1]);
  if (!match) throw new Error(`MODEL_CARD.md evaluation row has no tfjs percentage: ${row}`);
  return Number(match[1]) / 100;
}

async function expectInvalidModel(path: string, fragment: string): Promise<void> {
  const error = await loadLayersModelFromFiles(path).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PeakPruneError);
  expect((error as PeakPruneError).code).toBe('invalid-model');
  expect((error as PeakPruneError).message).toContain(fragment);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('loadLayersModelFromFiles errors', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'peakprune-load-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects a missing model file', async () => {
    await expectInvalidModel(join(dir, 'absent.json'), 'absent.json');
  });

  it('rejects invalid JSON', async () => {
    writeFileSync(join(dir, 'broken.json'), '{"modelTopology": ');
    await expectInvalidModel(join(dir, 'broken.json'), 'broken.json');
  });

  it('rejects JSON without a topology', async () => {
    writeFileSync(join(dir, 'empty.json'), '{"weightsManifest": []}');
    await expectInvalidModel(join(dir, 'empty.json'), 'modelTopology');
  });

  it('rejects a missing weight shard', async () => {
    const sub = mkdtempSync(join(dir, 'noshard-'));
    copyFileSync(MODEL_JSON, join(sub, 'model.json'));
    await expectInvalidModel(join(sub, 'model.json'), 'group1-shard1of1.bin');
  });

  it('rejects a short weight shard', async () => {
    const sub = mkdtempSync(join(dir, 'short-'));
    copyFileSync(MODEL_JSON, join(sub, 'model.json'));
    const shard = readFileSync(join(MODEL_DIR, 'group1-shard1of1.bin'));
    writeFileSync(join(sub, 'group1-shard1of1.bin'), shard.subarray(0, shard.length - 4));
    await expectInvalidModel(join(sub, 'model.json'), `${shard.length - 4} bytes`);
  });
});

describe('shipped model', () => {
  it('matches the model card on evaluation.png', async () => {
    const before = tf.memory().numTensors;
    const model = await loadLayersModelFromFiles(MODEL_JSON);
    const { set } = readSprite('evaluation');
    const [h, w, c] = set.shape;
    const count = set.labels.length;
    expect(count).toBe(1000);

    let correct = 0;
    const batch = 200;
    for (let start = 0; start < count; start += batch) {
      const end = Math.min(start + batch, count);
      const classes = tf.tidy(() => {
        const x = tf.tensor4d(set.pixels.subarray(start * h * w * c, end * h * w * c), [end - start, h, w, c]);
        return (model.predict(x) as tf.Tensor).argMax(-1);
      });
      const predicted = await classes.data();
      classes.dispose();
      predicted.forEach((p, i) => {
        if (p === set.labels[start + i]) correct++;
      });
    }
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);

    const stated = statedEvaluationAccuracy();
    expect(stated).toBeGreaterThan(0.85);
    expect(Math.abs(correct / count - stated)).toBeLessThanOrEqual(0.015);
  }, 300_000);

  it('has the layer names the tools rely on', async () => {
    const model = await loadLayersModelFromFiles(MODEL_JSON);
    const names = model.layers.map((l) => l.name);
    model.dispose();
    for (let n = 1; n <= 6; n++) {
      expect(names).toContain(`conv${n}`);
      expect(names).toContain(`bn${n}`);
      expect(names).toContain(`relu${n}`);
    }
    expect(names[names.length - 1]).toBe('dense2');
  });
});

describe('shipped sample sprites', () => {
  const sprites = {
    calibration: readSprite('calibration'),
    evaluation: readSprite('evaluation'),
  };

  it('come from separate splits', () => {
    expect(sprites.calibration.meta.split).toBe('train');
    expect(sprites.evaluation.meta.split).toBe('test');
  });

  for (const [name, { meta, png }] of Object.entries(sprites)) {
    it(`${name} has 100 images per class`, () => {
      expect(meta.count).toBe(1000);
      expect(png.width).toBe(40 * 28);
      expect(png.height).toBe(25 * 28);
      const perClass = new Array<number>(10).fill(0);
      for (const label of meta.labels) perClass[label]++;
      expect(perClass).toEqual(new Array<number>(10).fill(100));
      expect(new Set(meta.sourceIndices).size).toBe(1000);
    });
  }

  it.skipIf(!HAS_DATASET)('tiles equal their source images', () => {
    for (const { meta, set } of Object.values(sprites)) {
      const data = loadSplit(meta.split);
      meta.sourceIndices.forEach((source, n) => {
        expect(meta.labels[n]).toBe(data.labels[source]);
        const image = imageBytes(data, source);
        const tile = set.pixels.subarray(n * 784, (n + 1) * 784);
        const mismatch = image.findIndex((byte, i) => Math.round(tile[i] * 255) !== byte);
        expect(mismatch, `${meta.split} tile ${n} (source ${source})`).toBe(-1);
      });
    }
  });

  it('share no identical image', () => {
    const key = (set: SampleSet, n: number): string =>
      Array.from(set.pixels.subarray(n * 784, (n + 1) * 784), (v) => Math.round(v * 255)).join(',');
    const calibration = new Set(Array.from({ length: 1000 }, (_, n) => key(sprites.calibration.set, n)));
    const shared = Array.from({ length: 1000 }, (_, n) => key(sprites.evaluation.set, n)).filter((k) => calibration.has(k));
    expect(shared.length).toBe(0);
  });
});
