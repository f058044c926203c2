import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadLayersModelFromFiles } from '../../src/cli/load-model';
import { kerasH5, kerasV3 } from '../fixtures/keras-writer';
import { buildTinyConv, predictFixed, tfjsFiles } from '../fixtures/model-files';

let folder: string;
let reference: tf.Sequential;
let expected: number[];

beforeAll(async () => {
  await tf.setBackend('cpu');
  folder = mkdtempSync(join(tmpdir(), 'peakprune-load-cli-'));
  reference = buildTinyConv();
  expected = predictFixed(reference);
  const files = await tfjsFiles(reference, 200);
  mkdirSync(join(folder, 'tfjs', 'weights'), { recursive: true });
  const json = structuredClone(files.json);
  const manifest = json.weightsManifest as { paths: string[] }[];
  manifest[0].paths = manifest[0].paths.map((path) => `weights/${path}`);
  writeFileSync(join(folder, 'tfjs', 'model.json'), JSON.stringify(json));
  for (const shard of files.shards) writeFileSync(join(folder, 'tfjs', 'weights', shard.path), shard.bytes);
  const entries: Record<string, Uint8Array> = { 'model.json': new TextEncoder().encode(JSON.stringify(files.json)) };
  for (const shard of files.shards) entries[shard.path] = shard.bytes;
  writeFileSync(join(folder, 'model.zip'), zipSync(entries));
  writeFileSync(join(folder, 'model.h5'), await kerasH5(reference));
  writeFileSync(join(folder, 'model.keras'), await kerasV3(reference));
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
  reference.dispose();
});

describe('loadLayersModelFromFiles', () => {
  it.each([['tfjs/model.json'], ['tfjs'], ['model.zip'], ['model.h5'], ['model.keras']])('loads %s', async (path) => {
    const before = tf.memory().numTensors;

    const model = await loadLayersModelFromFiles(join(folder, path));

    const actual = predictFixed(model);
    actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 5));
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names a missing shard path', async () => {
    const broken = join(folder, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'model.json'), JSON.stringify((await tfjsFiles(reference)).json));

    await expect(loadLayersModelFromFiles(join(broken, 'model.json'))).rejects.toThrow(
      `${join(broken, 'group1-shard1of1')}: weight shard not found. Put it next to ${join(broken, 'model.json')} or fix the path in its weightsManifest.`,
    );
  });
});
