// A corpus of broken models, each generated here, each checked for its exact message. Every case
// must also leave no tensors behind, because a failed open must not disturb the loaded model.
import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';

import { PeakPruneError, type ErrorCode } from '../../src/core/errors';
import { openModel, type InputFile, type OpenOptions } from '../../src/core/load';
import { kerasH5, kerasV3 } from '../fixtures/keras-writer';
import { buildTinyConv, jsonFile, textFile, tfjsFiles, type TfjsFiles } from '../fixtures/model-files';

type Json = Record<string, unknown>;

interface BadInput {
  name: string;
  files: () => Promise<InputFile[]>;
  message: string | RegExp;
  code?: ErrorCode;
  options?: OpenOptions;
}

let tiny: tf.Sequential;

beforeAll(async () => {
  await tf.setBackend('cpu');
  tiny = buildTinyConv();
});

// The tiny model has 18 + 2 + 96 + 3 = 119 float32 weights, 476 bytes.
const WEIGHT_BYTES = 476;

/** model.json (possibly edited) with its shards of `shardBytes` bytes. */
async function tfjsModel(edit?: (json: Json, files: TfjsFiles) => void, shardBytes?: number): Promise<InputFile[]> {
  const files = await tfjsFiles(tiny, shardBytes);
  const json = structuredClone(files.json);
  edit?.(json, files);
  return [jsonFile('model.json', json), ...files.shards];
}

function topologyLayers(json: Json): Json[] {
  return ((json.modelTopology as Json).config as Json).layers as Json[];
}

/** Returns the tiny model's files with one float32 weight replaced by `value`. */
async function withWeight(index: number, value: number): Promise<InputFile[]> {
  const files = await tfjsFiles(tiny);
  const bytes = files.shards[0].bytes.slice();
  new DataView(bytes.buffer).setFloat32(index * 4, value, true);
  return [jsonFile('model.json', files.json), { path: files.shards[0].path, bytes }];
}

/** Saves a Sequential model without convolution as model.json and one shard. */
async function denseOnly(inputShape: number[]): Promise<InputFile[]> {
  const layers = inputShape.length === 1 ? [tf.layers.dense({ inputShape, units: 2, name: 'out' })] : [tf.layers.flatten({ inputShape, name: 'flat' }), tf.layers.dense({ units: 2, name: 'out' })];
  const model = tf.sequential({ layers });
  const files = await tfjsFiles(model);
  model.dispose();
  return [jsonFile('model.json', files.json), ...files.shards];
}

/** Returns a zip whose entry "big.bin" declares `declared` bytes in both headers but contains more. */
function forgedZip(declared: number): Uint8Array {
  const zip = zipSync({ 'big.bin': new Uint8Array(200_000) });
  const view = new DataView(zip.buffer);
  for (let i = 0; i + 4 <= zip.length; i++) {
    const signature = view.getUint32(i, true);
    if (signature === 0x04034b50) view.setUint32(i + 22, declared, true);
    if (signature === 0x02014b50) view.setUint32(i + 24, declared, true);
  }
  return zip;
}

function editKeras3Layer(index: number, edit: (config: Json) => void): (config: Json) => void {
  return (config) => edit(((config.config as Json).layers as Json[])[index].config as Json);
}

const cases: BadInput[] = [
  {
    name: 'no files',
    files: async () => [],
    message: 'No files were chosen; choose model.json with its weight files, a folder, a .zip, or a Keras .h5 or .keras file.',
  },
  {
    name: 'empty model.json',
    files: async () => [textFile('model.json', '  \n')],
    message: 'model.json is empty; choose the model.json that TensorFlow.js wrote.',
  },
  {
    name: 'truncated model.json',
    files: async () => [textFile('model.json', '{"format": "layers-model", "modelTopology": {"class_name": "Seq')],
    message: 'model.json ends before its JSON is complete (63 characters), so it is truncated; download or copy it again.',
  },
  {
    name: 'model.json cut after a key',
    files: async () => [textFile('model.json', '{"format": "layers-model", "modelTopology"')],
    message: 'model.json ends before its JSON is complete (42 characters), so it is truncated; download or copy it again.',
  },
  {
    name: 'invalid JSON',
    files: async () => [textFile('model.json', '{"format": layers}')],
    message: /^model\.json is not valid JSON \(.+\); choose the model\.json that TensorFlow\.js wrote\.$/,
  },
  {
    name: 'JSON array',
    files: async () => [textFile('model.json', '[1, 2]')],
    message: 'model.json contains JSON but not an object, so it is not a TensorFlow.js model.json; choose the model.json that TensorFlow.js wrote.',
  },
  {
    name: 'model.json without topology',
    files: async () => [jsonFile('model.json', { weightsManifest: [] })],
    message: 'model.json has no modelTopology, so it is not a TensorFlow.js model file; choose the model.json that TensorFlow.js wrote.',
  },
  {
    name: 'graph model by format',
    files: async () => [jsonFile('model.json', { format: 'graph-model', modelTopology: { node: [], library: {} }, weightsManifest: [] })],
    message:
      'model.json is a graph model, but only layers models can be pruned; convert the Keras model with "tensorflowjs_converter --input_format=keras --output_format=tfjs_layers_model model.h5 out/", or open the .h5 or .keras file itself.',
  },
  {
    name: 'graph model without format',
    files: async () => [jsonFile('model.json', { modelTopology: { node: [{ name: 'x', op: 'Placeholder' }] } })],
    message: /^model\.json is a graph model, but only layers models can be pruned; convert the Keras model with "tensorflowjs_converter/,
  },
  {
    name: 'unknown format',
    files: async () => tfjsModel((json) => (json.format = 'keras-saved-model')),
    message: /^model\.json has format "keras-saved-model", but only layers models can be pruned; convert/,
  },
  {
    name: 'topology without class_name',
    files: async () => [jsonFile('model.json', { modelTopology: { layers: [] } })],
    message: 'model.json has a modelTopology without a Keras model config ("class_name" and "config"); save the model again with model.save().',
  },
  {
    name: 'manifest not a list',
    files: async () => tfjsModel((json) => (json.weightsManifest = { paths: ['a'] })),
    message: 'model.json has a weightsManifest that is not a list; save the model again with model.save().',
  },
  {
    name: 'manifest group without paths',
    files: async () => tfjsModel((json) => delete (json.weightsManifest as Json[])[0].paths),
    message: 'model.json has a malformed weightsManifest: group 1 needs "paths" (file names) and "weights"; save the model again.',
  },
  {
    name: 'weight entry without dtype',
    files: async () => tfjsModel((json) => delete ((json.weightsManifest as Json[])[0].weights as Json[])[1].dtype),
    message: 'model.json has a malformed weightsManifest: weight "c1/bias" needs a "name" and a "dtype"; save the model again.',
  },
  {
    name: 'weight entry with negative size',
    files: async () => tfjsModel((json) => (((json.weightsManifest as Json[])[0].weights as Json[])[1].shape = [-2])),
    message: 'model.json has a malformed weightsManifest: weight "c1/bias" has shape [-2], not a list of sizes; save the model again.',
  },
  {
    name: 'unreadable dtype',
    files: async () => tfjsModel((json) => (((json.weightsManifest as Json[])[0].weights as Json[])[0].dtype = 'string')),
    message: 'Weight "c1/kernel" in model.json has dtype "string", which cannot be read; save the model with float32 weights.',
  },
  {
    name: 'missing shard',
    files: async () => (await tfjsModel(undefined, 300)).slice(0, 2),
    message: 'model.json needs the weight files group1-shard2of2, which were not chosen. Choose them together with model.json.',
  },
  {
    name: 'two missing shards',
    files: async () => (await tfjsModel(undefined, 100)).filter((file) => !/shard[24]of5$/.test(file.path)),
    message: 'model.json needs the weight files group1-shard2of5, group1-shard4of5, which were not chosen. Choose them together with model.json.',
  },
  {
    name: 'shard renamed by the browser',
    files: async () => {
      const [json, shard] = await tfjsModel();
      return [json, { path: 'group1-shard1of1 (1)', bytes: shard.bytes }];
    },
    message:
      'model.json needs the weight files group1-shard1of1, which were not chosen. Among the chosen files, "group1-shard1of1 (1)" is unused; rename a shard to the name its manifest gives.',
  },
  {
    name: 'single shard truncated',
    files: async () => {
      const [json, shard] = await tfjsModel();
      return [json, { path: shard.path, bytes: shard.bytes.subarray(0, 400) }];
    },
    message: `Weight file "group1-shard1of1" has 400 bytes, but model.json describes ${WEIGHT_BYTES} bytes, so it is truncated; copy or download it again.`,
  },
  {
    name: 'single shard too long',
    files: async () => {
      const [json, shard] = await tfjsModel();
      return [json, { path: shard.path, bytes: new Uint8Array(WEIGHT_BYTES + 8) }];
    },
    message: `Weight file "group1-shard1of1" has ${WEIGHT_BYTES + 8} bytes, but model.json describes ${WEIGHT_BYTES} bytes, so it is too long or belongs to another model; copy or download it again.`,
  },
  {
    name: 'middle shard truncated',
    files: async () => {
      const files = await tfjsModel(undefined, 100);
      files[2] = { path: files[2].path, bytes: files[2].bytes.subarray(0, 60) };
      return files;
    },
    // Shards of 100, 100, 100, 100 and 76 bytes; the second is cut to 60.
    message: 'Weight file "group1-shard2of5" has 60 bytes, but model.json describes 100 bytes, so it is truncated; copy or download it again.',
  },
  {
    name: 'last shard truncated',
    files: async () => {
      const files = await tfjsModel(undefined, 100);
      files[5] = { path: files[5].path, bytes: files[5].bytes.subarray(0, 50) };
      return files;
    },
    message: 'Weight file "group1-shard5of5" has 50 bytes, but model.json describes 76 bytes, so it is truncated; copy or download it again.',
  },
  {
    name: 'NaN in a convolution kernel',
    files: async () => withWeight(3, Number.NaN),
    message:
      'model.json: layer "c1" (Conv2D) has 1 NaN or infinite values in weight "c1/kernel", so the model cannot be analysed; retrain it or fix the weights and save it again.',
  },
  {
    name: 'infinity in a dense bias',
    files: async () => withWeight(117, Number.POSITIVE_INFINITY),
    message:
      'model.json: layer "dense" (Dense) has 1 NaN or infinite values in weight "dense/bias", so the model cannot be analysed; retrain it or fix the weights and save it again.',
  },
  {
    name: 'unknown layer class',
    files: async () => tfjsModel((json) => (topologyLayers(json)[1].class_name = 'FancyFlatten')),
    message: `model.json: layer "flat" has class "FancyFlatten", which TensorFlow.js ${tf.version.tfjs} does not provide; replace it with a built-in layer or remove it, then save the model again.`,
  },
  {
    name: 'Lambda layer in model.json',
    files: async () => tfjsModel((json) => (topologyLayers(json)[1].class_name = 'Lambda')),
    message: 'model.json: layer "flat" is a Lambda layer, whose Python code cannot run in TensorFlow.js; replace it with built-in layers and save the model again.',
  },
  {
    name: 'model without convolution',
    files: async () => denseOnly([4, 4, 1]),
    code: 'no-prunable-layers',
    message: 'model.json was not opened: it has no convolution layer (Conv2D), so there are no filters to prune; choose a convolutional model.',
  },
  {
    name: 'input that is not an image',
    files: async () => denseOnly([8]),
    message: "model.json: the model's input has shape [batch, 8], which no image can match; pruning needs an input of shape [batch, height, width, channels].",
  },
  {
    name: 'layer config that cannot be built',
    files: async () => tfjsModel((json) => (((topologyLayers(json)[0].config as Json).kernel_size as unknown) = 'three')),
    message: /^The model in model\.json could not be built: /,
  },
  {
    name: 'two models at once',
    files: async () => {
      const files = await tfjsModel();
      return [...files, { path: 'b/model.json', bytes: files[0].bytes }];
    },
    message: 'The chosen files hold 2 models (model.json, b/model.json); choose one model at a time.',
  },
  {
    name: 'no model among the files',
    files: async () => [textFile('cat.png', 'not really a png'), textFile('notes.txt', 'hello')],
    message:
      'None of the chosen files (cat.png, notes.txt) is a model; choose model.json with its weight files, a folder or .zip holding them, or a Keras .h5 or .keras file.',
  },
  {
    name: 'zip beyond the size limit',
    files: async () => [{ path: 'big.zip', bytes: zipSync({ 'model.json': new Uint8Array(3000), 'w.bin': new Uint8Array(5000) }) }],
    options: { zip: { maxExpandedBytes: 4096, maxEntries: 100 } },
    message: "big.zip expands to 8000 bytes, more than the limit of 4096 bytes; zip only the model's files, or choose them unzipped.",
  },
  {
    name: 'zip with too many entries',
    files: async () => [{ path: 'many.zip', bytes: zipSync(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}.bin`, new Uint8Array(1)]))) }],
    options: { zip: { maxExpandedBytes: 1 << 20, maxEntries: 10 } },
    message: "many.zip contains 12 files, more than the limit of 10; zip only the model's files.",
  },
  {
    name: 'zip with a forged size',
    files: async () => [{ path: 'forged.zip', bytes: forgedZip(1000) }],
    message: 'forged.zip: entry "big.bin" expands beyond the 1000 bytes its header declares, so the zip is damaged or forged; zip the model again.',
  },
  {
    name: 'cut-off zip',
    files: async () => [{ path: 'cut.zip', bytes: zipSync({ 'model.json': new Uint8Array(100) }).subarray(0, 60) }],
    message: 'cut.zip is not a readable zip file (invalid zip data); zip the model again or choose its files unzipped.',
  },
  {
    name: 'model beyond the GPU budget',
    files: async () => tfjsModel(),
    options: { gpu: { maxTextureSize: 4096, budgetBytes: 1000 } },
    // 119 weights × 4 bytes × 3 copies.
    message: 'model.json needs an estimated 1428 bytes of GPU memory (3 float32 copies of its weights), more than the budget of 1000 bytes; use a smaller model or prune it with the command-line tool.',
  },
  {
    name: 'weight beyond the texture size',
    files: async () => tfjsModel(),
    options: { gpu: { maxTextureSize: 4, budgetBytes: 1 << 30 } },
    // The dense kernel has 96 values, but a 4 × 4 texture of RGBA texels stores 64.
    message: 'model.json: weight "dense/kernel" has 96 values, more than one WebGL texture holds here (64, maximum texture size 4); use a smaller model or a machine with a larger GPU.',
  },
  {
    name: 'weights-only .h5',
    files: async () => [{ path: 'weights.h5', bytes: await kerasH5(tiny, { weightsOnly: true }) }],
    message: 'weights.h5 holds only weights (it has no model_config attribute, as model.save_weights() writes); save the whole model with model.save("model.h5").',
  },
  {
    name: 'damaged .h5',
    files: async () => {
      const bytes = (await kerasH5(tiny)).slice(0, 600);
      return [{ path: 'cut.h5', bytes }];
    },
    message: /^cut\.h5 is not a readable HDF5 file \(.*\); save the Keras model again\.$/,
  },
  {
    name: '.h5 weight of the wrong shape',
    files: async () => {
      const bytes = await kerasH5(tiny, {
        editWeights: (layer, arrays) => {
          if (layer === 'dense') arrays[1] = { name: arrays[1].name, values: new Float32Array(4), shape: [4] };
        },
      });
      return [{ path: 'shape.h5', bytes }];
    },
    message: 'shape.h5: weight "dense/bias" of layer "dense" has shape [4] but the layer needs [3]; the config and the weights do not belong together.',
  },
  {
    name: '.h5 with a Lambda layer',
    files: async () => [{ path: 'lambda.h5', bytes: await kerasH5(tiny, { editConfig: (config) => (((config.config as Json).layers as Json[])[1].class_name = 'Lambda') }) }],
    message:
      'lambda.h5 uses Keras features that cannot be converted: layer "flat" (Lambda): Lambda layers hold Python code, which cannot run in TensorFlow.js. Change these layers and save the model again.',
  },
  {
    name: '.keras without weights',
    files: async () => [{ path: 'noweights.keras', bytes: await kerasV3(tiny, { omit: 'model.weights.h5' }) }],
    message: 'noweights.keras has no model.weights.h5, so it is not a Keras 3 model file; save it again with model.save("model.keras").',
  },
  {
    name: '.keras with grouped convolution',
    files: async () => [{ path: 'groups.keras', bytes: await kerasV3(tiny, { editConfig: editKeras3Layer(1, (c) => (c.groups = 2)) }) }],
    message:
      'groups.keras uses Keras features that cannot be converted: layer "c1" (Conv2D): grouped convolution (groups = 2) is not available in TensorFlow.js. Change these layers and save the model again.',
  },
  {
    name: '.keras with channels_first',
    files: async () => [{ path: 'nchw.keras', bytes: await kerasV3(tiny, { editConfig: editKeras3Layer(1, (c) => (c.data_format = 'channels_first')) }) }],
    message:
      'nchw.keras uses Keras features that cannot be converted: layer "c1" (Conv2D): channels_first data format is not supported; save the model with channels_last. Change these layers and save the model again.',
  },
  {
    name: '.keras with an unknown layer class',
    files: async () => [{ path: 'custom.keras', bytes: await kerasV3(tiny, { editConfig: (config) => (((config.config as Json).layers as Json[])[2].class_name = 'MyBlock') }) }],
    message:
      'custom.keras uses Keras features that cannot be converted: layer "flat" (MyBlock): TensorFlow.js has no layer class "MyBlock". Change these layers and save the model again.',
  },
];

async function openError(input: BadInput): Promise<PeakPruneError> {
  const files = await input.files();
  try {
    const opened = await openModel(files, input.options);
    opened.model.dispose();
  } catch (error) {
    if (error instanceof PeakPruneError) return error;
    throw error;
  }
  throw new Error(`expected "${input.name}" to be rejected, but the model opened`);
}

describe('bad model inputs', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('rejects $name', async (input) => {
    const before = tf.memory().numTensors;

    const error = await openError(input);

    expect(error.code).toBe(input.code ?? 'invalid-model');
    if (typeof input.message === 'string') expect(error.message).toBe(input.message);
    else expect(error.message).toMatch(input.message);
    expect(tf.memory().numTensors).toBe(before);
  });
});
