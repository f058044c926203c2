import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { openModel } from '../../src/core/load';
import { kerasH5, kerasV3 } from '../fixtures/keras-writer';
import { buildTinyConv, jsonFile, predictFixed, tfjsFiles } from '../fixtures/model-files';

let reference: tf.Sequential;
let expected: number[];
let tensorsBefore: number;

beforeAll(async () => {
  await tf.setBackend('cpu');
  reference = buildTinyConv();
  expected = predictFixed(reference);
});

beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});

afterEach(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

function closeTo(actual: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 5));
}

describe('openModel with tfjs files', () => {
  it('loads shards given in reverse order', async () => {
    const files = await tfjsFiles(reference, 100);
    expect(files.shards).toHaveLength(5);

    const opened = await openModel([...files.shards].reverse().concat(jsonFile('model.json', files.json)));

    expect(opened.format).toBe('tfjs-layers');
    expect(opened.source).toBe('model.json');
    expect(opened.notes).toEqual([]);
    closeTo(predictFixed(opened.model));
    opened.model.dispose();
  });

  it('loads a folder pick with relative paths', async () => {
    const files = await tfjsFiles(reference, 100, 'export/');
    const stray = jsonFile('other/group1-shard1of5', { not: 'a shard' });

    const opened = await openModel([stray, jsonFile('export/model.json', files.json), ...files.shards]);

    expect(opened.source).toBe('export/model.json');
    closeTo(predictFixed(opened.model));
    opened.model.dispose();
  });

  it('loads a zip of a folder', async () => {
    const files = await tfjsFiles(reference, 200);
    const entries: Record<string, Uint8Array> = { 'tiny/model.json': new TextEncoder().encode(JSON.stringify(files.json)) };
    for (const shard of files.shards) entries[`tiny/${shard.path}`] = shard.bytes;
    entries['tiny/'] = new Uint8Array(0);

    const opened = await openModel([{ path: 'tiny.zip', bytes: zipSync(entries) }]);

    expect(opened.source).toBe('tiny/model.json');
    closeTo(predictFixed(opened.model));
    opened.model.dispose();
  });

  it('reads Teachable Machine metadata', async () => {
    const files = await tfjsFiles(reference);
    const metadata = jsonFile('metadata.json', { tfjsVersion: '1.3.1', tmVersion: '2.4.7', labels: ['cat', 'dog', 'bird'], imageSize: 4, modelName: 'tm-my-image-model' });
    const weights = { path: 'weights.bin', bytes: files.weightBytes };
    const json = { ...files.json, weightsManifest: [{ paths: ['weights.bin'], weights: (files.json.weightsManifest as { weights: unknown }[])[0].weights }] };

    const opened = await openModel([metadata, weights, jsonFile('model.json', json)]);

    expect(opened.format).toBe('teachable-machine');
    expect(opened.classNames).toEqual(['cat', 'dog', 'bird']);
    opened.model.dispose();
  });

  it('notes Teachable Machine labels that disagree', async () => {
    const files = await tfjsFiles(reference);
    const metadata = jsonFile('metadata.json', { labels: ['a', 'b'], imageSize: 4 });

    const opened = await openModel([metadata, ...files.shards, jsonFile('model.json', files.json)]);

    expect(opened.classNames).toBeUndefined();
    expect(opened.notes).toEqual(['model.json lists 2 class names but the model outputs 3 classes; the names are ignored.']);
    opened.model.dispose();
  });

  it('loads uint8 and float16 quantized weights', async () => {
    const files = await tfjsFiles(reference);
    const manifest = (files.json.weightsManifest as { weights: tf.io.WeightsManifestEntry[] }[])[0].weights;
    const floats = new Float32Array(files.weightBytes.buffer.slice(0));
    const spec = manifest.map((entry) => ({ ...entry }));
    // Quantize the first weight (c1 kernel, 18 values) to uint8 with min and scale; store the rest as float16.
    const kernel = floats.subarray(0, 18);
    const min = Math.min(...kernel);
    const scale = (Math.max(...kernel) - min) / 255;
    const kernelBytes = Uint8Array.from(kernel, (value) => Math.round((value - min) / scale));
    spec[0].quantization = { dtype: 'uint8', min, scale };
    const rest = floats.subarray(18);
    const half = new Uint16Array(rest.length).map((_, i) => toHalf(rest[i]));
    for (let i = 1; i < spec.length; i++) spec[i].quantization = { dtype: 'float16' };
    const shard = new Uint8Array(kernelBytes.length + half.byteLength);
    shard.set(kernelBytes, 0);
    shard.set(new Uint8Array(half.buffer), kernelBytes.length);
    const json = { ...files.json, weightsManifest: [{ paths: ['q.bin'], weights: spec }] };

    const opened = await openModel([{ path: 'q.bin', bytes: shard }, jsonFile('model.json', json)]);

    expect(opened.notes).toEqual([
      'The weights are stored quantized (1 of 4 weights as uint8, 3 of 4 weights as float16); they were expanded to float32 on loading, and exports write float32.',
    ]);
    const kernelValues = (opened.model.getLayer('c1').getWeights()[0].dataSync() as Float32Array).slice();
    kernelValues.forEach((value, i) => expect(Math.abs(value - kernel[i])).toBeLessThanOrEqual(scale / 2 + 1e-6));
    opened.model.dispose();
  });
});

/** Converts a float to IEEE half precision bits (round to nearest, no subnormals: test values are normal). */
function toHalf(value: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value);
  const bits = view.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (value === 0) return sign;
  return sign | (exponent << 10) | Math.round(mantissa / 0x2000);
}

describe('openModel with Keras files', () => {
  it('loads a legacy .h5 file', async () => {
    const bytes = await kerasH5(reference);

    const opened = await openModel([{ path: 'tiny.h5', bytes }]);

    expect(opened.format).toBe('keras-h5');
    expect(opened.source).toBe('tiny.h5');
    closeTo(predictFixed(opened.model));
    opened.model.dispose();
  });

  it('loads a nested model from .h5', async () => {
    const block = tf.sequential({
      name: 'block',
      layers: [
        tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 3, padding: 'same', name: 'inner_conv' }),
        tf.layers.batchNormalization({ name: 'inner_bn' }),
      ],
    });
    const outer = tf.sequential({ name: 'outer', layers: [block, tf.layers.flatten({ name: 'flat' }), tf.layers.dense({ units: 3, name: 'dense' })] });
    const values = outer.getWeights().map((weight, w) => tf.tensor(Float32Array.from({ length: weight.size }, (_, i) => 0.5 + ((i * 5 + w) % 7) / 10), weight.shape));
    outer.setWeights(values);
    tf.dispose(values);
    const nestedExpected = predictFixed(outer);

    const opened = await openModel([{ path: 'nested.h5', bytes: await kerasH5(outer) }]);

    const actual = predictFixed(opened.model);
    actual.forEach((value, i) => expect(value).toBeCloseTo(nestedExpected[i], 5));
    opened.model.dispose();
    outer.dispose();
  });

  it('loads an .h5 inside a zip', async () => {
    const bytes = zipSync({ 'export/tiny.h5': await kerasH5(reference), 'export/README.txt': new TextEncoder().encode('notes') });

    const opened = await openModel([{ path: 'export.zip', bytes }]);

    expect(opened.source).toBe('export/tiny.h5');
    closeTo(predictFixed(opened.model));
    opened.model.dispose();
  });

  it('loads a Keras 3 .keras file', async () => {
    const bytes = await kerasV3(reference);

    const opened = await openModel([{ path: 'tiny.keras', bytes }]);

    expect(opened.format).toBe('keras-v3');
    expect(opened.notes).toEqual([]);
    closeTo(predictFixed(opened.model));
    opened.model.dispose();
  });

  it('warns about mixed precision', async () => {
    const bytes = await kerasV3(reference, {
      editConfig: (config) => {
        const layers = (config.config as { layers: { config: Record<string, unknown> }[] }).layers;
        layers[1].config.dtype = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'mixed_float16' } };
      },
    });

    const opened = await openModel([{ path: 'mixed.keras', bytes }]);

    expect(opened.notes).toEqual(['mixed.keras: layer "c1" (Conv2D): mixed precision policy is loaded as float32.']);
    opened.model.dispose();
  });
});
