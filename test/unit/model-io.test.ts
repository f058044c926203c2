import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { PeakPruneError } from '../../src/core/errors';
import { artifactsToFiles, loadFromFiles, saveToArtifacts } from '../../src/core/model-io';
import type { ModelFiles } from '../../src/core/model-io';
import { buildConvBnDense, disposeAll, maxAbsDiff, predictValues, seededInput, seedWeights } from './helpers/tiny-models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function savedFiles(baseName?: string): Promise<{ model: tf.LayersModel; files: ModelFiles }> {
  const model = buildConvBnDense();
  seedWeights(model, 17);
  const files = artifactsToFiles(await saveToArtifacts(model), baseName);
  return { model, files };
}

async function loadError(json: unknown, shards: Map<string, Uint8Array>, fileName?: string): Promise<PeakPruneError> {
  try {
    const model = await loadFromFiles(json, shards, fileName);
    model.dispose();
  } catch (error) {
    if (error instanceof PeakPruneError) return error;
    throw error;
  }
  throw new Error('expected loadFromFiles to reject, but it loaded a model');
}

describe('artifactsToFiles', () => {
  it('writes a standard layers model.json', async () => {
    const { model, files } = await savedFiles('pruned');

    const json = JSON.parse(files.modelJson);

    expect(files.weightsFileName).toBe('pruned.weights.bin');
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.class_name).toBe('Sequential');
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['pruned.weights.bin']);
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toContain('bn1/moving_variance');
    // 203 float32 parameters.
    expect(files.weights.byteLength).toBe(203 * 4);
    model.dispose();
  });

  it('rejects a base name with a slash', async () => {
    const model = buildConvBnDense();
    const artifacts = await saveToArtifacts(model);

    expect(() => artifactsToFiles(artifacts, 'a/b')).toThrow(PeakPruneError);
    expect(() => artifactsToFiles(artifacts, '')).toThrow(/File base name "" is invalid/);
    model.dispose();
  });
});

describe('loadFromFiles', () => {
  it('round-trips predictions without leaks', async () => {
    const { model, files } = await savedFiles();
    const input = seededInput([6, 6, 2], 3, 2);
    const before = tf.memory().numTensors;

    const loaded = await loadFromFiles(files.modelJson, new Map([[files.weightsFileName, files.weights]]));

    expect(tf.memory().numTensors - before).toBe(loaded.weights.length);
    expect(maxAbsDiff(predictValues(loaded, input), predictValues(model, input))).toBeLessThan(1e-6);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    disposeAll(model, input);
  });

  it('accepts parsed JSON and a shard view with an offset', async () => {
    const { model, files } = await savedFiles();
    const padded = new Uint8Array(files.weights.byteLength + 8);
    padded.set(files.weights, 8);
    const json = JSON.parse(files.modelJson);
    json.weightsManifest[0].paths = ['weights/model.weights.bin'];
    const input = seededInput([6, 6, 2], 2, 3);

    // The shard is found under the last segment of its manifest path.
    const loaded = await loadFromFiles(json, new Map([['model.weights.bin', padded.subarray(8)]]));

    expect(maxAbsDiff(predictValues(loaded, input), predictValues(model, input))).toBeLessThan(1e-6);
    disposeAll(model, loaded, input);
  });

  it('writes files that tf.loadLayersModel reads over http', async () => {
    const { model, files } = await savedFiles();
    const served = new Map<string, BodyInit>([
      ['/models/model.json', files.modelJson],
      [`/models/${files.weightsFileName}`, files.weights.slice().buffer as ArrayBuffer],
    ]);
    const fetchFunc = async (request: RequestInfo | URL): Promise<Response> => {
      const body = served.get(new URL(String(request)).pathname);
      return body === undefined ? new Response('not found', { status: 404 }) : new Response(body);
    };
    const input = seededInput([6, 6, 2], 2, 4);

    const loaded = await tf.loadLayersModel(tf.io.http('http://127.0.0.1/models/model.json', { fetchFunc }));

    expect(maxAbsDiff(predictValues(loaded, input), predictValues(model, input))).toBeLessThan(1e-6);
    disposeAll(model, loaded, input);
  });

  it('rejects text that is not JSON', async () => {
    const error = await loadError('{"modelTopology": ', new Map(), 'broken.json');

    expect(error.code).toBe('invalid-model');
    expect(error.message).toMatch(/^broken\.json is not valid JSON/);
  });

  it('rejects JSON without a topology', async () => {
    const error = await loadError({ weightsManifest: [] }, new Map());

    expect(error.code).toBe('invalid-model');
    expect(error.message).toMatch(/^model\.json has no modelTopology/);
  });

  it('rejects a graph model', async () => {
    const cases = [
      { format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] },
      { modelTopology: { node: [{ name: 'x', op: 'Placeholder' }] }, weightsManifest: [] },
    ];
    for (const json of cases) {
      const error = await loadError(json, new Map(), 'graph.json');
      expect(error.code).toBe('invalid-model');
      expect(error.message).toMatch(/^graph\.json is a graph model, but only layers models .* can be pruned\. Converted SavedModels/);
    }
  });

  it('names a missing shard', async () => {
    const { model, files } = await savedFiles();

    const error = await loadError(files.modelJson, new Map([['other.bin', files.weights]]));

    expect(error.code).toBe('invalid-model');
    expect(error.message).toMatch(/needs weight file "model\.weights\.bin", which is missing/);
    model.dispose();
  });

  it('names a shard of the wrong length', async () => {
    const { model, files } = await savedFiles();
    const truncated = files.weights.subarray(0, 800);

    const error = await loadError(files.modelJson, new Map([[files.weightsFileName, truncated]]));

    expect(error.code).toBe('invalid-model');
    expect(error.message).toMatch(/Weight file "model\.weights\.bin" has 800 bytes, but model\.json describes 812 bytes/);
    model.dispose();
  });

  it('rejects a malformed manifest', async () => {
    const { model, files } = await savedFiles();
    const json = JSON.parse(files.modelJson);
    json.weightsManifest = [{ paths: 'model.weights.bin', weights: [] }];

    const error = await loadError(json, new Map([[files.weightsFileName, files.weights]]));

    expect(error.code).toBe('invalid-model');
    expect(error.message).toMatch(/malformed weightsManifest/);
    model.dispose();
  });

  it('reports a topology that tfjs cannot build', async () => {
    const { model, files } = await savedFiles();
    const json = JSON.parse(files.modelJson);
    json.modelTopology.config.layers[0].class_name = 'NoSuchLayer';

    const error = await loadError(json, new Map([[files.weightsFileName, files.weights]]));

    expect(error.code).toBe('invalid-model');
    expect(error.message).toMatch(/^The model in model\.json could not be built: .*NoSuchLayer/);
    model.dispose();
  });
});
